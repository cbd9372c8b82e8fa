{#- Daily FX rates for every currency, in units per euro and as the value of one unit in the
    reporting currency (var reporting_currency). Carried-forward days are flagged. Convert with
    macro in_reporting_currency (units_per_eur and reporting_units_per_eur, divided last), never
    by multiplying with the rounded reporting_per_unit. -#}

select
    rate_day as local_date,
    currency,
    units_per_eur,
    reporting_currency,
    reporting_units_per_eur,
    reporting_per_unit,
    is_carried_forward,
    rate_published_on,
    rate_source
from {{ ref('int_fx_rates_daily') }}
