{#- Monthly (mature) targets per scope and KPI. Typed; every landed version kept (joins pick a version). -#}

with landed as (
    select * from {{ source('kpi_config', 'targets') }}
),

typed as (
    select
        cast(config_version as integer) as config_version,
        config_sha256,
        loaded_at,
        target_id,
        scope,
        scope_id,
        kpi,
        cast(month_from as date) as month_from,
        cast(month_to as date) as month_to,
        cast(target_value as decimal(38, 4)) as target_value,
        currency
    from landed
)

select * from typed
