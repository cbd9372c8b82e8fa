{#- Global settings of the version (one row). Typed; every landed version kept (joins pick a version). -#}

with landed as (
    select * from {{ source('kpi_config', 'settings') }}
),

typed as (
    select
        cast(config_version as integer) as config_version,
        config_sha256,
        loaded_at,
        cast(baseline_weeks as integer) as baseline_weeks,
        cast(scorecard_close_days as integer) as scorecard_close_days,
        cast(scoring_start as date) as scoring_start,
        incentive_currency
    from landed
)

select * from typed
