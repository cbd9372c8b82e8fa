{#- People scored on KPIs. Typed; every landed version kept (joins pick a version). -#}

with landed as (
    select * from {{ source('kpi_config', 'people') }}
),

typed as (
    select
        cast(config_version as integer) as config_version,
        config_sha256,
        loaded_at,
        person_id,
        person_name
    from landed
)

select * from typed
