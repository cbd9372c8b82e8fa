{#- Continuous percentile (linear interpolation between the two nearest values, like
    numpy's default) of `expression` over the group, `fraction` in [0, 1]; null for an empty
    group. Dispatched: DuckDB spells it quantile_cont, Spark percentile, the SQL standard
    percentile_cont ... within group. Trino has only an approximate percentile. -#}
{% macro percentile_cont(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile_cont', 'linkstar')(expression, fraction)) }}
{%- endmacro %}

{% macro duckdb__percentile_cont(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro spark__percentile_cont(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro trino__percentile_cont(expression, fraction) -%}
    approx_percentile({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro default__percentile_cont(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}
