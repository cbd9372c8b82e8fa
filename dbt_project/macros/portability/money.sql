{#- Money is decimal, never float. 18 digits with 2 decimals hold IDR/VND amounts (whole
    numbers in the billions) as well as cents. -#}
{% macro to_money(expression) -%}
    cast({{ expression }} as decimal(18, 2))
{%- endmacro %}

{#- An amount converted with a `reporting_per_unit` rate (fct_fx_rates_daily), still decimal. -#}
{% macro in_reporting_currency(amount, reporting_per_unit) -%}
    cast({{ amount }} * {{ reporting_per_unit }} as decimal(18, 2))
{%- endmacro %}
