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

-- Months with a scored day (macro is_scored_day, as int_kpi_org_shop_days scores days): not
-- the month of an order older than the loaded history, which would get a month of targets and
-- pacing against no scored day.
months as (
    select distinct {{ dbt.date_trunc('month', 'calendar.date_day') }} as month_start
    from {{ ref('int_calendar_days') }} as calendar
    where {{ is_scored_day('calendar.date_day') }}
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
