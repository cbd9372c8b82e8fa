{#- Markets, their region and maturity tier. Typed; every landed version kept (joins pick a version). -#}

with landed as (
    select * from {{ source('kpi_config', 'markets') }}
),

typed as (
    select
        cast(config_version as integer) as config_version,
        config_sha256,
        loaded_at,
        market,
        region_id,
        maturity_tier
    from landed
)

select * from typed
