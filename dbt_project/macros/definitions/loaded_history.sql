{#- The first day of the loaded history, written once: the UTC date of the oldest landed order
    partition (orders load by update time from 00:00 UTC of that day). Shop-day marts and
    scoring start here in every shop's time zone, not at the oldest order: an order placed
    earlier arrives only when it changes inside the history, so an earlier day would hold a
    few of its orders where there were hundreds (docs/kpi_management.md, section 9); customer
    cohorts start at the first month whose first day is on or after it. A scalar subquery, to
    compare a shop-local date with. -#}
{% macro first_loaded_day() -%}
    (select min(cast(partition_key as date)) from {{ ref('base_tiktok_shop__orders') }})
{%- endmacro %}

{#- Whether a shop-local day is scored, written once for the days scored (int_kpi_org_shop_days)
    and the months given a configuration version (int_kpi_scoring_versions), so a month with no
    scored day gets no version, and so no target days or pacing: from the earliest
    `scoring_start` and the first loaded day to the newest order day. Not from the oldest order:
    the days before the history hold only the few orders that changed later, and days with no
    data are not days anyone failed (docs/kpi_management.md, section 9). -#}
{% macro is_scored_day(day) -%}
    ({{ day }} >= {{ first_loaded_day() }}
        and {{ day }} >= (select min(scoring_start) from {{ ref('stg_kpi_config__settings') }})
        and {{ day }} <= (select max(created_local_date) from {{ ref('int_orders_with_sales_basis') }}))
{%- endmacro %}
