{#- Money is decimal, never float. 18 digits with 2 decimals hold IDR/VND amounts (whole
    numbers in the billions) as well as cents. -#}
{% macro to_money(expression) -%}
    cast({{ expression }} as decimal(18, 2))
{%- endmacro %}
