{#- KPI formulas written once. Every division is guarded: a zero denominator gives null,
    never an error or infinity. -#}

{% macro safe_ratio(numerator, denominator, scale=6) -%}
    cast(cast({{ numerator }} as decimal(38, {{ scale }})) / nullif({{ denominator }}, 0) as decimal(38, {{ scale }}))
{%- endmacro %}

{#- Average order value: GMV per order on the same basis, in the same currency. -#}
{% macro aov(gmv, orders) -%}
    cast({{ safe_ratio(gmv, orders, 4) }} as decimal(18, 2))
{%- endmacro %}
