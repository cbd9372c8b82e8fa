{#- Money is decimal, never float. 18 digits with 2 decimals hold IDR/VND amounts (whole
    numbers in the billions) as well as cents. -#}
{% macro to_money(expression) -%}
    cast({{ expression }} as decimal(18, 2))
{%- endmacro %}

{#- THE conversion rule, written once: an amount in the reporting currency (var
    reporting_currency) is itself on every day, rate or no rate; any other amount is multiplied
    by that day's `reporting_per_unit` (fct_fx_rates_daily: last known rate carried forward),
    and is null before its currency's first known rate. Still decimal, never float. -#}
{% macro in_reporting_currency(amount, reporting_per_unit, currency) -%}
    case
        when {{ currency }} = '{{ var("reporting_currency") }}' then cast({{ amount }} as decimal(18, 2))
        else cast({{ amount }} * {{ reporting_per_unit }} as decimal(18, 2))
    end
{%- endmacro %}
