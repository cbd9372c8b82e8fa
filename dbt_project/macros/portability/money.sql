{#- Money is decimal, never float. 18 digits with 2 decimals hold IDR/VND amounts (whole
    numbers in the billions) as well as cents. -#}
{% macro to_money(expression) -%}
    cast({{ expression }} as decimal(18, 2))
{%- endmacro %}

{#- THE conversion rule, written once: an amount from one currency into another through the
    euro at one day's rates (fct_fx_rates_daily: last known rate carried forward),
    amount × to_units_per_eur ÷ from_units_per_eur, at full precision and rounded once to the
    cent (rounded_division: half away from zero). The same currency is itself, rate or no rate.
    Null before the first known rate of either currency. Never through a rounded rate such as
    `reporting_per_unit` (10 decimals): 15,830,400 IDR at 1.0983 USD and 17,935.45 IDR per euro
    is 969.3946 USD → 969.39, while × 0.0000612363 gives 969.40. -#}
{% macro converted_amount(amount, from_currency, to_currency, from_units_per_eur, to_units_per_eur) -%}
    case
        when {{ from_currency }} = {{ to_currency }} then cast({{ amount }} as decimal(18, 2))
        else cast({{ rounded_division('(' ~ amount ~ ') * cast(' ~ to_units_per_eur ~ ' as decimal(38, 6))', from_units_per_eur, 2) }} as decimal(18, 2))
    end
{%- endmacro %}

{#- An amount in the reporting currency (var reporting_currency), by the conversion rule above:
    to_units_per_eur is the reporting currency's units per euro that day. -#}
{% macro in_reporting_currency(amount, units_per_eur, reporting_units_per_eur, currency) -%}
    {{ converted_amount(amount, currency, "'" ~ var("reporting_currency") ~ "'", units_per_eur, reporting_units_per_eur) }}
{%- endmacro %}

{#- Why an amount is null, in words, written once: a currency whose rate is not known on the
    day, and the day its first rate became known ('no FX rate for VND before 2026-11-07'), or
    'no FX rate for VND yet' when none is known at all. Null when `currency` is null. -#}
{% macro no_rate_reason(currency, first_rate_day) -%}
    case
        when {{ currency }} is not null then {{ dbt.concat([
            "'no FX rate for '", currency,
            "case when " ~ first_rate_day ~ " is null then ' yet' else " ~ dbt.concat(["' before '", "cast(" ~ first_rate_day ~ " as " ~ dbt.type_string() ~ ")"]) ~ " end",
        ]) }}
    end
{%- endmacro %}
