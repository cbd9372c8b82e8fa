{#- Monthly bonus per person from the configured tiers on the weighted score. A person's month
    is made of team segments (kpi_scorecards: one per team they worked on); each segment earns
    the bonus of its role's tier (the highest min_score ≤ the segment's score, tiers of the
    month's configuration version) prorated by the days the person was ASSIGNED to the team
    that month (organisation.yml assignments), not the days that had data: a day with no data
    (the warehouse started late, a source was down) is not a day the person failed.
    bonus_amount = Σ segment tier bonus × segment days assigned ÷ days in the month, rounded
    once to the cent. So a person who joined mid-month earns the matching share, and the
    current month counts the assigned days up to the newest scored day (the share earned so
    far). score is the days-weighted mean of the segment scores. -#}

with segments as (
    select distinct
        subject_id as person_id,
        team_id,
        role,
        month_start,
        score,
        days_scored,
        config_version
    from {{ ref('kpi_scorecards') }}
    where subject_kind = 'person'
),

tiers as (
    select * from {{ ref('stg_kpi_config__incentive_tiers') }}
),

newest_scored_day as (
    select max(local_date) as local_date from {{ ref('int_kpi_subject_days') }}
),

segment_days_assigned as (
    -- Days of the month the person was on the team, through the newest scored day.
    select
        segment_months.person_id,
        segment_months.team_id,
        segment_months.month_start,
        sum(greatest(0, {{ dbt.datediff(
            'greatest(assignments.valid_from, segment_months.month_start)',
            'least(coalesce(assignments.valid_to, segment_months.month_end), segment_months.month_end, newest_scored_day.local_date)',
            'day') }} + 1)) as days_assigned
    from (
        select distinct
            person_id, team_id, month_start, config_version,
            cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'month_start')) }} as date) as month_end
        from segments
    ) as segment_months
    cross join newest_scored_day
    inner join {{ ref('stg_kpi_config__assignments') }} as assignments
        on segment_months.config_version = assignments.config_version
        and segment_months.person_id = assignments.person_id
        and segment_months.team_id = assignments.team_id
    group by segment_months.person_id, segment_months.team_id, segment_months.month_start
),

segment_tiers as (
    select
        segments.person_id,
        segments.team_id,
        segments.month_start,
        max(tiers.min_score) as tier_min_score
    from segments
    inner join tiers
        on segments.config_version = tiers.config_version
        and segments.role = tiers.role
        and tiers.min_score <= segments.score
    group by segments.person_id, segments.team_id, segments.month_start
),

segment_bonus as (
    select
        segments.*,
        segment_days_assigned.days_assigned,
        segment_tiers.tier_min_score,
        tiers.bonus_amount as tier_bonus_amount,
        tiers.currency,
        cast({{ dbt.datediff('segments.month_start', dbt.dateadd('month', 1, 'segments.month_start'), 'day') }}
            as integer) as days_in_month
    from segments
    inner join segment_days_assigned
        on segments.person_id = segment_days_assigned.person_id
        and segments.team_id = segment_days_assigned.team_id
        and segments.month_start = segment_days_assigned.month_start
    left join segment_tiers
        on segments.person_id = segment_tiers.person_id
        and segments.team_id = segment_tiers.team_id
        and segments.month_start = segment_tiers.month_start
    left join tiers
        on segments.config_version = tiers.config_version
        and segments.role = tiers.role
        and segment_tiers.tier_min_score = tiers.min_score
),

latest_segment as (
    select
        segment_bonus.*,
        row_number() over (
            partition by person_id, month_start order by days_scored desc, team_id
        ) as segment_rank
    from segment_bonus
),

monthly as (
    select
        person_id,
        month_start,
        max(config_version) as config_version,
        max(days_in_month) as days_in_month,
        count(*) as team_segments,
        sum(days_scored) as days_scored,
        sum(days_assigned) as days_assigned,
        sum(case when score is not null then days_scored end) as days_with_score,
        sum(score * days_scored) as score_days,
        sum(tier_bonus_amount * days_assigned) as bonus_days,
        max(case when segment_rank = 1 then role end) as main_role,
        max(currency) as currency
    from latest_segment
    group by person_id, month_start
),

final as (
    select
        monthly.person_id,
        monthly.month_start,
        monthly.main_role as role,
        cast(monthly.team_segments as integer) as team_segments,
        cast(monthly.days_scored as integer) as days_scored,
        cast(monthly.days_assigned as integer) as days_assigned,
        cast(monthly.days_in_month as integer) as days_in_month,
        cast({{ safe_ratio('monthly.days_assigned', 'monthly.days_in_month', 4) }} as decimal(18, 4)) as days_share,
        cast({{ safe_ratio('monthly.score_days', 'monthly.days_with_score', 4) }} as decimal(18, 4)) as score,
        (
            select max(tiers.min_score)
            from tiers
            where tiers.config_version = monthly.config_version
              and tiers.role = monthly.main_role
              and tiers.min_score <= {{ safe_ratio('monthly.score_days', 'monthly.days_with_score', 4) }}
        ) as tier_min_score,
        cast(case
            when monthly.days_with_score is not null
                then {{ safe_ratio('coalesce(monthly.bonus_days, 0)', 'monthly.days_in_month', 2) }}
        end as decimal(18, 2)) as bonus_amount,
        coalesce(monthly.currency, settings.incentive_currency) as currency,
        monthly.config_version
    from monthly
    left join {{ ref('stg_kpi_config__settings') }} as settings
        on monthly.config_version = settings.config_version
)

select * from final
