{#- A rate for every calendar day and currency. The ECB publishes on TARGET working days only:
    weekends, holidays and `N/A` days carry the last published rate forward and are flagged.
    Cross rates go through the euro: one unit of currency C is worth
    units_per_eur(reporting) / units_per_eur(C) units of the reporting currency. Both terms are
    kept (`reporting_units_per_eur`, `units_per_eur`) because conversions divide last
    (macro in_reporting_currency); `reporting_per_unit`, that quotient rounded to 10 decimals,
    is for reading, not for converting. Days run from a currency's first rate to today in the
    market furthest east (or the newest rate, if later): in the evening UTC, a shop in Asia is
    already on tomorrow's local day, and its day converts at the rate in force like any other
    (a shop day without a rate blocks the publish). A supplementary row dated after the
    pipeline's today is not known yet (the seed may list the coming weeks' rates), so a run at
    an earlier clock ignores it. -#}

with ecb as (
    select rate_date, currency, units_per_eur, 'ecb' as rate_source
    from {{ ref('stg_fx__ecb_rates') }}
),

supplementary as (
    select rate_date, upper(currency) as currency, units_per_eur, 'supplementary' as rate_source
    from {{ ref('fx_supplementary_rates') }}
    where upper(currency) not in (select distinct currency from ecb)
        and rate_date <= cast({{ pipeline_now() }} as date)
),

euro as (
    select distinct rate_date, 'EUR' as currency, cast(1 as decimal(18, 6)) as units_per_eur, 'ecb' as rate_source
    from ecb
),

published as (
    select * from ecb
    union all
    select * from supplementary
    union all
    select * from euro
),

currency_ranges as (
    select currency, min(rate_date) as first_rate_date
    from published
    group by currency
),

local_todays as (
    select cast({{ pipeline_now() }} as date) as local_today
    union all
    select {{ utc_to_local_date(pipeline_now(), 'time_zone') }} from {{ ref('markets') }}
),

last_day as (
    select
        case
            when max(rate_date) > (select max(local_today) from local_todays) then max(rate_date)
            else (select max(local_today) from local_todays)
        end as last_rate_day
    from published
),

currency_days as (
    select currency_ranges.currency, calendar.date_day as rate_day
    from currency_ranges
    cross join last_day
    inner join {{ ref('int_calendar_days') }} as calendar
        on calendar.date_day between currency_ranges.first_rate_date and last_day.last_rate_day
),

rate_events as (
    -- Published rates and calendar days in one series per currency, so a day's rate is the
    -- newest one published on or before it, even when that is before the calendar starts.
    select currency, rate_date as rate_day, units_per_eur, rate_date, rate_source, 0 as is_calendar_day
    from published
    union all
    select
        currency,
        rate_day,
        cast(null as decimal(18, 6)),
        cast(null as date),
        cast(null as varchar),
        1
    from currency_days
),

carried_forward as (
    select
        currency,
        rate_day,
        is_calendar_day,
        last_value(units_per_eur ignore nulls) over carry as units_per_eur,
        last_value(rate_date ignore nulls) over carry as rate_published_on,
        last_value(rate_source ignore nulls) over carry as rate_source
    from rate_events
    window carry as (
        partition by currency order by rate_day, is_calendar_day
        rows between unbounded preceding and current row
    )
),

calendar_rates as (
    select
        currency,
        rate_day,
        units_per_eur,
        rate_published_on,
        rate_source,
        rate_published_on < rate_day as is_carried_forward
    from carried_forward
    where is_calendar_day = 1
),

reporting as (
    select rate_day, units_per_eur as reporting_units_per_eur
    from calendar_rates
    where currency = '{{ var("reporting_currency") }}'
),

final as (
    select
        calendar_rates.rate_day,
        calendar_rates.currency,
        calendar_rates.units_per_eur,
        '{{ var("reporting_currency") }}' as reporting_currency,
        reporting.reporting_units_per_eur,
        {{ safe_ratio('reporting.reporting_units_per_eur', 'calendar_rates.units_per_eur', 10) }} as reporting_per_unit,
        calendar_rates.is_carried_forward,
        calendar_rates.rate_published_on,
        calendar_rates.rate_source
    from calendar_rates
    left join reporting on calendar_rates.rate_day = reporting.rate_day
)

select * from final
