{#- The shop days KPI actuals are computed on: int_kpi_org_shop_days (scoring_start → newest
    data day), extended backwards by the longest baseline window (baseline_weeks × 7 days of
    any version) so baselines of targets starting in the first scored month have actuals. A
    look-back day takes each shop's organisation (team, market, region, version) of the first
    scored day. Only days the shop has loaded sales data for (a kpi_shop_daily row) are kept. -#}

with org_days as (
    select local_date, shop_id, config_version, team_id, market, region_id, maturity_tier
    from {{ ref('int_kpi_org_shop_days') }}
),

bounds as (
    select
        min(scoring_start) as scoring_start,
        max(baseline_weeks) * 7 as look_back_days
    from {{ ref('stg_kpi_config__settings') }}
),

first_scored_day as (
    select org_days.*
    from org_days
    where org_days.local_date = (select min(local_date) from org_days)
),

look_back as (
    select
        cast(calendar.date_day as date) as local_date,
        first_scored_day.shop_id,
        first_scored_day.config_version,
        first_scored_day.team_id,
        first_scored_day.market,
        first_scored_day.region_id,
        first_scored_day.maturity_tier
    from {{ ref('int_calendar_days') }} as calendar
    cross join bounds
    cross join first_scored_day
    where calendar.date_day < bounds.scoring_start
      and calendar.date_day >= {{ dbt.dateadd('day', '-1 * bounds.look_back_days', 'bounds.scoring_start') }}
),

all_days as (
    select * from org_days
    union all
    select * from look_back
),

loaded as (
    select shop_id, local_date from {{ ref('kpi_shop_daily') }}
),

final as (
    select all_days.*
    from all_days
    inner join loaded
        on all_days.shop_id = loaded.shop_id
        and all_days.local_date = loaded.local_date
)

select * from final
