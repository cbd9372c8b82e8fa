{#- Keep the newest row per key (incremental API loads land several versions of a record).
    A window function in a subquery rather than `qualify`, which Spark and Trino lack. -#}
{% macro latest_row_per_key(relation, key_columns, order_by, columns) -%}
    select {{ columns | join(', ') }}
    from (
        select
            {{ columns | join(', ') }},
            row_number() over (partition by {{ key_columns | join(', ') }} order by {{ order_by }}) as _row_rank
        from {{ relation }}
    ) as ranked
    where _row_rank = 1
{%- endmacro %}
