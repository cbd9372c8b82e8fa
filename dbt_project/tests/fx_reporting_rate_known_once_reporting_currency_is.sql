{#- Every currency converts to the reporting currency on every day the reporting currency
    itself has a rate: a null there means a join or carry-forward is broken. -#}
with rates as (
    select * from {{ ref('fct_fx_rates_daily') }}
),

reporting_start as (
    select min(local_date) as first_day
    from rates
    where currency = reporting_currency
)

select rates.*
from rates
cross join reporting_start
where rates.reporting_per_unit is null
  and rates.local_date >= reporting_start.first_day
