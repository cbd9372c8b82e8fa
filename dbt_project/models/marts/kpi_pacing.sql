{#- Month-to-date pacing per target line's scope, KPI and month (kpi_targets_daily): as of the
    newest data day (capped at the month's end), the month's target, the target and actual so
    far, achievement, a run-rate forecast to month end, and what is still needed per day.
    Sum KPIs: targets are the sums of daily_target_reporting (overrides included), the
    forecast is mtd_actual / days_elapsed × days_in_month and the required daily amount is
    (month_target − mtd_actual) / remaining days (null when no day remains). Ratio KPIs:
    targets are the mean daily level, the forecast is the month-to-date ratio itself and no
    daily amount applies. Achievement is direction-aware (kpi_scoring_catalog.direction:
    lower-is-better inverted, neutral paced as higher); on_track = forecast achievement ≥ 100. -#}

with targets as (
    select * from {{ ref('kpi_targets_daily') }}
),

catalog as (
    select kpi, scope, direction from {{ ref('kpi_scoring_catalog') }}
),

newest as (
    select max(local_date) as newest_data_day from {{ ref('int_kpi_org_shop_days') }}
),

months as (
    select
        targets.scope,
        targets.scope_id,
        targets.kpi,
        targets.month_start,
        max(targets.target_id) as target_id,
        max(targets.config_version) as config_version,
        max(targets.aggregation) as aggregation,
        max(targets.reporting_currency) as reporting_currency,
        max(targets.local_date) as month_end,
        count(*) as days_in_month,
        case
            when max(newest.newest_data_day) < max(targets.local_date) then max(newest.newest_data_day)
            else max(targets.local_date)
        end as as_of_date
    from targets
    cross join newest
    group by targets.scope, targets.scope_id, targets.kpi, targets.month_start
),

target_sums as (
    select
        months.scope,
        months.scope_id,
        months.kpi,
        months.month_start,
        sum(targets.daily_target_reporting) as month_target_sum,
        avg(targets.daily_target_reporting) as month_target_level,
        sum(case when targets.local_date <= months.as_of_date then targets.daily_target_reporting end) as mtd_target_sum,
        avg(case when targets.local_date <= months.as_of_date then targets.daily_target_reporting end) as mtd_target_level
    from months
    inner join targets
        on months.scope = targets.scope
        and months.scope_id = targets.scope_id
        and months.kpi = targets.kpi
        and months.month_start = targets.month_start
    group by months.scope, months.scope_id, months.kpi, months.month_start
),

actual_sums as (
    select
        months.scope,
        months.scope_id,
        months.kpi,
        months.month_start,
        sum(actuals.numerator) as numerator,
        sum(actuals.denominator) as denominator
    from months
    inner join {{ ref('fct_kpi_actuals_daily') }} as actuals
        on months.scope = actuals.scope
        and months.scope_id = actuals.scope_id
        and months.kpi = actuals.kpi
        and actuals.local_date between months.month_start and months.as_of_date
    group by months.scope, months.scope_id, months.kpi, months.month_start
),

measured as (
    select
        months.*,
        catalog.direction,
        cast({{ dbt.datediff('months.month_start', 'months.as_of_date', 'day') }} + 1 as integer) as days_elapsed,
        case when months.aggregation = 'sum' then target_sums.month_target_sum else target_sums.month_target_level end as month_target,
        case when months.aggregation = 'sum' then target_sums.mtd_target_sum else target_sums.mtd_target_level end as mtd_target,
        case
            when months.aggregation = 'sum' then coalesce(actual_sums.numerator, 0)
            else {{ kpi_value('months.kpi', 'actual_sums.numerator', 'actual_sums.denominator') }}
        end as mtd_actual
    from months
    left join catalog on months.kpi = catalog.kpi and months.scope = catalog.scope
    left join target_sums
        on months.scope = target_sums.scope
        and months.scope_id = target_sums.scope_id
        and months.kpi = target_sums.kpi
        and months.month_start = target_sums.month_start
    left join actual_sums
        on months.scope = actual_sums.scope
        and months.scope_id = actual_sums.scope_id
        and months.kpi = actual_sums.kpi
        and months.month_start = actual_sums.month_start
),

forecast as (
    select
        measured.*,
        case
            when aggregation = 'sum' then {{ safe_ratio('mtd_actual * days_in_month', 'days_elapsed', 6) }}
            else mtd_actual
        end as run_rate_forecast
    from measured
),

final as (
    select
        scope,
        cast(scope_id as varchar) as scope_id,
        kpi,
        cast(month_start as date) as month_start,
        target_id,
        config_version,
        aggregation,
        direction,
        reporting_currency,
        cast(as_of_date as date) as as_of_date,
        days_elapsed,
        cast(days_in_month as integer) as days_in_month,
        cast(month_target as decimal(38, 6)) as month_target,
        cast(mtd_target as decimal(38, 6)) as mtd_target,
        cast(mtd_actual as decimal(38, 6)) as mtd_actual,
        {{ achievement_pct('mtd_actual', 'mtd_target', 'direction') }} as mtd_achievement_pct,
        cast(run_rate_forecast as decimal(38, 6)) as run_rate_forecast,
        {{ achievement_pct('run_rate_forecast', 'month_target', 'direction') }} as forecast_achievement_pct,
        cast(month_target - mtd_actual as decimal(38, 6)) as remaining_to_target,
        cast(case
            when aggregation = 'sum' and days_in_month > days_elapsed
                then {{ safe_ratio('month_target - mtd_actual', 'days_in_month - days_elapsed', 6) }}
        end as decimal(38, 6)) as required_daily_amount,
        {{ achievement_pct('run_rate_forecast', 'month_target', 'direction') }} >= 100 as on_track
    from forecast
)

select * from final
