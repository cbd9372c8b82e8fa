{#- How a person appears in the sources (LIVE host, CS agent, ads account). Typed; every landed version kept (joins pick a version). -#}

with landed as (
    select * from {{ source('kpi_config', 'identities') }}
),

typed as (
    select
        cast(config_version as integer) as config_version,
        config_sha256,
        loaded_at,
        person_id,
        identity_kind,
        shop_id,
        identity_key
    from landed
)

select * from typed
