{#- Monthly bonus per person from the configured tiers on the weighted score. A person's month
    is made of team segments (kpi_scorecards: one per team they worked on); each segment earns
    the bonus of its role's tier (the highest min_score ≤ the segment's score, tiers of the
    month's configuration version) prorated by its days: bonus_amount = Σ segment tier bonus ×
    segment days ÷ days in the month. A month scored on fewer days than it has (a person who
    joined mid-month, or the current month) earns the matching share. score is the days-weighted
    mean of the segment scores. -#}

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
        segment_tiers.tier_min_score,
        tiers.bonus_amount as tier_bonus_amount,
        tiers.currency,
        cast({{ dbt.datediff('segments.month_start', dbt.dateadd('month', 1, 'segments.month_start'), 'day') }}
            as integer) as days_in_month
    from segments
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
        sum(case when score is not null then days_scored end) as days_with_score,
        sum(score * days_scored) as score_days,
        sum(tier_bonus_amount * days_scored) as bonus_days,
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
        cast(monthly.days_in_month as integer) as days_in_month,
        cast(cast(monthly.days_scored as decimal(18, 6)) / monthly.days_in_month as decimal(18, 4)) as days_share,
        cast(monthly.score_days / nullif(monthly.days_with_score, 0) as decimal(18, 4)) as score,
        (
            select max(tiers.min_score)
            from tiers
            where tiers.config_version = monthly.config_version
              and tiers.role = monthly.main_role
              and tiers.min_score <= monthly.score_days / nullif(monthly.days_with_score, 0)
        ) as tier_min_score,
        cast(case
            when monthly.days_with_score is not null
                then coalesce(monthly.bonus_days, 0) / monthly.days_in_month
        end as decimal(38, 4)) as bonus_amount,
        coalesce(monthly.currency, settings.incentive_currency) as currency,
        monthly.config_version
    from monthly
    left join {{ ref('stg_kpi_config__settings') }} as settings
        on monthly.config_version = settings.config_version
)

select * from final
