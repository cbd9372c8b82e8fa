{#- Explicit, approved changes of weights or targets for a date range. Typed; every landed version kept (joins pick a version). -#}

with landed as (
    select * from {{ source('kpi_config', 'overrides') }}
),

typed as (
    select
        cast(config_version as integer) as config_version,
        config_sha256,
        loaded_at,
        override_id,
        kind,
        cast(date_from as date) as date_from,
        cast(date_to as date) as date_to,
        subject_kind,
        subject,
        scope,
        scope_id,
        kpi,
        cast(weight as integer) as weight,
        cast(target_factor as decimal(18, 4)) as target_factor,
        reason,
        approved_by
    from landed
)

select * from typed
