{#- A person's team and role over a date range (people move; history is kept). Typed; every landed version kept (joins pick a version). -#}

with landed as (
    select * from {{ source('kpi_config', 'assignments') }}
),

typed as (
    select
        cast(config_version as integer) as config_version,
        config_sha256,
        loaded_at,
        person_id,
        team_id,
        role,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to
    from landed
)

select * from typed
