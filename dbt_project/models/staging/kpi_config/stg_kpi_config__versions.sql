{#- One row per landed configuration version. Typed; every landed version kept (joins pick a version). -#}

with landed as (
    select * from {{ source('kpi_config', 'versions') }}
),

typed as (
    select
        cast(config_version as integer) as config_version,
        config_sha256,
        loaded_at,
        git_commit,
        source_dir,
        changes
    from landed
)

select * from typed
