{#- Market-maturity tiers and the factor they scale mature targets by. Typed; every landed version kept (joins pick a version). -#}

with landed as (
    select * from {{ source('kpi_config', 'maturity_tiers') }}
),

typed as (
    select
        cast(config_version as integer) as config_version,
        config_sha256,
        loaded_at,
        tier,
        cast(target_factor as decimal(18, 4)) as target_factor
    from landed
)

select * from typed
