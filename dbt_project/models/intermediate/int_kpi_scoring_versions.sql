{#- The configuration version each month is scored under — the reproducibility rule, decided
    once: the newest version landed before the month closed (the first day of the next month
    plus `scorecard_close_days`, 00:00 UTC), else the oldest version. A closed month therefore
    never changes when the configuration is edited later; an open month follows the newest. -#}

with versions as (
    select config_version, loaded_at from {{ ref('stg_kpi_config__versions') }}
),

newest_settings as (
    select settings.scoring_start, settings.scorecard_close_days
    from {{ ref('stg_kpi_config__settings') }} as settings
    where settings.config_version = (select max(config_version) from versions)
),

first_scored_day as (
    select min(scoring_start) as scoring_start from {{ ref('stg_kpi_config__settings') }}
),

loaded_days as (
    -- Only days the warehouse holds orders for are scored: a month before the first loaded
    -- day would otherwise score zero against its target.
    select
        min(created_local_date) as oldest_day,
        max(created_local_date) as newest_day
    from {{ ref('int_orders_with_sales_basis') }}
),

months as (
    select distinct {{ dbt.date_trunc('month', 'calendar.date_day') }} as month_start
    from {{ ref('int_calendar_days') }} as calendar
    cross join first_scored_day
    cross join loaded_days
    where calendar.date_day >= first_scored_day.scoring_start
      and calendar.date_day >= loaded_days.oldest_day
      and calendar.date_day <= loaded_days.newest_day
),

closing as (
    select
        cast(months.month_start as date) as month_start,
        cast({{ dbt.dateadd('day', 'newest_settings.scorecard_close_days',
                            dbt.dateadd('month', 1, 'months.month_start')) }} as timestamp) as closes_at
    from months
    cross join newest_settings
),

final as (
    select
        closing.month_start,
        coalesce(
            max(case when versions.loaded_at <= closing.closes_at then versions.config_version end),
            min(versions.config_version)
        ) as config_version
    from closing
    cross join versions
    group by closing.month_start
)

select * from final
