{#- Teams, their region and tier. Typed; every landed version kept (joins pick a version). -#}

with landed as (
    select * from {{ source('kpi_config', 'teams') }}
),

typed as (
    select
        cast(config_version as integer) as config_version,
        config_sha256,
        loaded_at,
        team_id,
        team_name,
        region_id,
        maturity_tier,
        cast(started_on as date) as started_on,
        cast(ended_on as date) as ended_on
    from landed
)

select * from typed
