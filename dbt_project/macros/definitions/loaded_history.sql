{#- The first day of the loaded history, written once: the UTC date of the oldest landed order
    partition (orders load by update time from 00:00 UTC of that day). Shop-day marts and
    scoring start here in every shop's time zone, not at the oldest order: an order placed
    earlier arrives only when it changes inside the history, so an earlier day would hold a
    few of its orders where there were hundreds (docs/kpi_management.md, section 9). A scalar
    subquery, to compare a shop-local date with. -#}
{% macro first_loaded_day() -%}
    (select min(cast(partition_key as date)) from {{ ref('base_tiktok_shop__orders') }})
{%- endmacro %}
