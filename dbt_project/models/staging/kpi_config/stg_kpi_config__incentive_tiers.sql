{#- Bonus tiers on the weighted score, per role. Typed; every landed version kept (joins pick a version). -#}

with landed as (
    select * from {{ source('kpi_config', 'incentive_tiers') }}
),

typed as (
    select
        cast(config_version as integer) as config_version,
        config_sha256,
        loaded_at,
        role,
        cast(min_score as decimal(18, 4)) as min_score,
        cast(bonus_amount as decimal(38, 4)) as bonus_amount,
        currency
    from landed
)

select * from typed
