{#- Promotion days that carry a larger share of a month's target. Typed; every landed version kept (joins pick a version). -#}

with landed as (
    select * from {{ source('kpi_config', 'promotions') }}
),

typed as (
    select
        cast(config_version as integer) as config_version,
        config_sha256,
        loaded_at,
        promotion_id,
        promotion_name,
        cast(date_from as date) as date_from,
        cast(date_to as date) as date_to,
        market,
        cast(day_weight as decimal(18, 4)) as day_weight
    from landed
)

select * from typed
