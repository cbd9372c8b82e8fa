{#- Reproducibility: every scored day takes its weights from the configuration version its
    month is scored under, every scorecard names that version, and a subject's weights sum to
    100 on every day. A row here means a closed month could change with a later config edit, or
    a weight override did not replace the set's weights one for one. -#}
{{ config(meta={'dagster': {'ref': {'name': 'kpi_scorecards'}}}) }}
with versions as (
    select * from {{ ref('int_kpi_scoring_versions') }}
),

weights as (
    select * from {{ ref('int_kpi_weights_daily') }}
),

day_in_another_version as (
    select
        'weights' as failing,
        weights.subject_kind,
        weights.subject_id,
        weights.local_date,
        weights.config_version
    from weights
    inner join versions
        on {{ dbt.date_trunc('month', 'weights.local_date') }} = versions.month_start
    where weights.config_version <> versions.config_version
),

weights_not_100 as (
    select
        'weight sum' as failing,
        subject_kind,
        subject_id,
        local_date,
        max(config_version) as config_version
    from weights
    group by subject_kind, subject_id, local_date
    having sum(weight) <> 100
),

scorecard_in_another_version as (
    select
        'scorecards' as failing,
        scorecards.subject_kind,
        scorecards.subject_id,
        scorecards.month_start as local_date,
        scorecards.config_version
    from {{ ref('kpi_scorecards') }} as scorecards
    left join versions on scorecards.month_start = versions.month_start
    where versions.config_version is null or scorecards.config_version <> versions.config_version
)

select * from day_in_another_version
union all
select * from weights_not_100
union all
select * from scorecard_in_another_version
