{#- Daily FX rates for every currency, in units per euro and as the value of one unit in the
    reporting currency (var reporting_currency). Carried-forward days are flagged. -#}

select
    rate_day,
    currency,
    units_per_eur,
    reporting_currency,
    reporting_per_unit,
    is_carried_forward,
    rate_published_on,
    rate_source
from {{ ref('int_fx_rates_daily') }}
