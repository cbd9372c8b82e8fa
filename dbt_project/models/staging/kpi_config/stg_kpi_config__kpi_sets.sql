{#- KPI-set entries: one row per set version × KPI. Typed; every landed version kept (joins pick a version). -#}

with landed as (
    select * from {{ source('kpi_config', 'kpi_sets') }}
),

typed as (
    select
        cast(config_version as integer) as config_version,
        config_sha256,
        loaded_at,
        set_id,
        subject_kind,
        subject,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        kpi,
        cast(weight as integer) as weight,
        direction,
        cast(cap_pct as decimal(18, 4)) as cap_pct,
        cast(floor_pct as decimal(18, 4)) as floor_pct,
        scope
    from landed
)

select * from typed
