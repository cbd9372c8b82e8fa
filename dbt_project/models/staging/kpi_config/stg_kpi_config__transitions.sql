{#- Ramp factors for new markets and teams, per month since the start. Typed; every landed version kept (joins pick a version). -#}

with landed as (
    select * from {{ source('kpi_config', 'transitions') }}
),

typed as (
    select
        cast(config_version as integer) as config_version,
        config_sha256,
        loaded_at,
        scope,
        scope_id,
        cast(start_month as date) as start_month,
        cast(month_index as integer) as month_index,
        cast(factor as decimal(18, 4)) as factor
    from landed
)

select * from typed
