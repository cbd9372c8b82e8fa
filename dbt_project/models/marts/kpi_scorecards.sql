{#- Weighted monthly scorecard: one row per subject × team × month × KPI of the subject's set
    (persons per team they worked on that month, over their own days; teams, shops, markets and
    regions with a KPI set). weight = the KPI's mean daily weight over the subject's scored days of
    the month (a weight override inside the month shifts the weight only for its days);
    contribution = the weight renormalised over the KPIs that have an achievement × the capped
    achievement (macro weighted_contribution); score = the sum of the contributions (on every
    row of the subject-month). Scored under the month's configuration version (§4 rule, closed
    months never change). Peers: same subject kind, role (persons) and maturity tier. -#}

with weights as (
    select
        weights.*,
        cast({{ dbt.date_trunc('month', 'weights.local_date') }} as date) as month_start
    from {{ ref('int_kpi_weights_daily') }} as weights
),

subject_days as (
    select
        subject_kind,
        subject_id,
        team_id,
        role,
        local_date,
        maturity_tier,
        month_start
    from {{ ref('int_kpi_subject_days') }}
),

scored_days as (
    select distinct subject_kind, subject_id, team_id, month_start, local_date from weights
),

segments as (
    select
        subject_kind,
        subject_id,
        team_id,
        month_start,
        count(*) as days_scored,
        max(local_date) as last_scored_day
    from scored_days
    group by subject_kind, subject_id, team_id, month_start
),

segment_attributes as (
    select
        segments.*,
        subject_days.role,
        subject_days.maturity_tier
    from segments
    inner join subject_days
        on segments.subject_kind = subject_days.subject_kind
        and segments.subject_id = subject_days.subject_id
        and segments.last_scored_day = subject_days.local_date
),

kpi_weights as (
    select
        subject_kind,
        subject_id,
        team_id,
        month_start,
        kpi,
        sum(weight) as weight_days
    from weights
    group by subject_kind, subject_id, team_id, month_start, kpi
),

monthly_achievement as (
    select * from {{ ref('kpi_achievement') }}
    where period_type = 'month'
),

rows_with_achievement as (
    select
        segment_attributes.subject_kind,
        segment_attributes.subject_id,
        segment_attributes.team_id,
        segment_attributes.role,
        segment_attributes.month_start,
        kpi_weights.kpi,
        cast({{ safe_ratio('kpi_weights.weight_days', 'segment_attributes.days_scored', 4) }} as decimal(18, 4)) as weight,
        monthly_achievement.actual,
        monthly_achievement.target,
        monthly_achievement.achievement_pct,
        segment_attributes.days_scored,
        segment_attributes.maturity_tier
    from segment_attributes
    inner join kpi_weights
        on segment_attributes.subject_kind = kpi_weights.subject_kind
        and segment_attributes.subject_id = kpi_weights.subject_id
        and coalesce(segment_attributes.team_id, '') = coalesce(kpi_weights.team_id, '')
        and segment_attributes.month_start = kpi_weights.month_start
    left join monthly_achievement
        on kpi_weights.subject_kind = monthly_achievement.subject_kind
        and kpi_weights.subject_id = monthly_achievement.subject_id
        and coalesce(kpi_weights.team_id, '') = coalesce(monthly_achievement.team_id, '')
        and kpi_weights.month_start = monthly_achievement.period_start
        and kpi_weights.kpi = monthly_achievement.kpi
),

coverage as (
    select
        rows_with_achievement.*,
        sum(case when achievement_pct is not null then weight end) over (
            partition by subject_kind, subject_id, team_id, month_start
        ) as covered_weight,
        sum(weight) over (partition by subject_kind, subject_id, team_id, month_start) as total_weight
    from rows_with_achievement
),

contributions as (
    select
        coverage.*,
        {{ weighted_contribution('weight', 'covered_weight', 'achievement_pct') }} as contribution
    from coverage
),

scored as (
    select
        contributions.*,
        sum(contribution) over (partition by subject_kind, subject_id, team_id, month_start) as score,
        {{ dbt.concat([
            'subject_kind', "':'",
            "case when subject_kind = 'person' then " ~ dbt.concat(['role', "':'"]) ~ " else '' end",
            "coalesce(maturity_tier, 'untiered')",
        ]) }} as peer_group
    from contributions
),

final as (
    select
        scored.subject_kind,
        scored.subject_id,
        scored.team_id,
        scored.role,
        scored.month_start,
        scored.kpi,
        scored.weight,
        scored.actual,
        scored.target,
        scored.achievement_pct,
        scored.contribution,
        cast({{ safe_ratio('coalesce(scored.covered_weight, 0) * 100', 'scored.total_weight', 4) }} as decimal(18, 4)) as weight_coverage_pct,
        cast(scored.score as decimal(18, 4)) as score,
        cast(scored.days_scored as integer) as days_scored,
        scoring_versions.config_version,
        scored.maturity_tier,
        scored.peer_group,
        cast(case when scored.score is not null then dense_rank() over (
            partition by scored.month_start, scored.peer_group
            order by case when scored.score is null then 1 else 0 end, scored.score desc
        ) end as integer) as rank_in_peer_group
    from scored
    left join {{ ref('int_kpi_scoring_versions') }} as scoring_versions
        on scored.month_start = scoring_versions.month_start
)

select * from final
