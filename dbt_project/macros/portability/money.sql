{#- Money is decimal, never float. 18 digits with 2 decimals hold IDR/VND amounts (whole
    numbers in the billions) as well as cents. -#}
{% macro to_money(expression) -%}
    cast({{ expression }} as decimal(18, 2))
{%- endmacro %}

{#- THE conversion rule, written once: an amount in the reporting currency (var
    reporting_currency) is itself on every day, rate or no rate; any other amount is converted
    through the euro at that day's rates (fct_fx_rates_daily: last known rate carried forward),
    amount × reporting_units_per_eur ÷ units_per_eur, at full precision and rounded once to the
    cent (rounded_division: half away from zero). Null before the currency's first known rate.
    Never through the rounded `reporting_per_unit`: 15,830,400 IDR at 1.0983 USD and 17,935.45
    IDR per euro is 969.3946 USD → 969.39, while × 0.0000612363 (10 decimals) gives 969.40. -#}
{% macro in_reporting_currency(amount, units_per_eur, reporting_units_per_eur, currency) -%}
    case
        when {{ currency }} = '{{ var("reporting_currency") }}' then cast({{ amount }} as decimal(18, 2))
        else cast({{ rounded_division('(' ~ amount ~ ') * cast(' ~ reporting_units_per_eur ~ ' as decimal(38, 6))', units_per_eur, 2) }} as decimal(18, 2))
    end
{%- endmacro %}
