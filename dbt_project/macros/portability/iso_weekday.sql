{#- ISO weekday of a date, 1 = Monday … 7 = Sunday, from day arithmetic only (dbt.datediff
    against a known Monday), so it is the same on every warehouse. -#}
{% macro iso_weekday(date_expression) -%}
    (((({{ dbt.datediff("cast('2024-01-01' as date)", date_expression, 'day') }}) % 7) + 7) % 7 + 1)
{%- endmacro %}
