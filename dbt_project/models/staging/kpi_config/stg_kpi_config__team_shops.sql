{#- Which team runs which TikTok shop. Typed; every landed version kept (joins pick a version). -#}

with landed as (
    select * from {{ source('kpi_config', 'team_shops') }}
),

typed as (
    select
        cast(config_version as integer) as config_version,
        config_sha256,
        loaded_at,
        team_id,
        shop_id,
        shop_name
    from landed
)

select * from typed
