{#- Actual against target for every KPI a subject is scored on, per period (day, ISO week, month,
    quarter). A subject is a person (per team: a person who moves team mid-month has one row per
    team, over their own days on it), a team, a shop, a market or a region. Over the subject's
    days in the period: the actual from fct_kpi_actuals_daily (sum KPIs: the sum of numerators;
    ratio KPIs: sum of numerators ÷ sum of denominators — a ratio of sums, never a mean of daily
    ratios) and the target from kpi_targets_daily (sum KPIs: the sum of the daily targets; ratio
    KPIs: the mean daily target level; money in the reporting currency), both on the scope the
    subject's KPI set measures the KPI on. Achievement and its cap/floor: macros achievement_pct
    and capped (macros/definitions/management_formulas.sql). Direction, scope, cap and floor are
    those of the period's last day. -#}

with weights as (
    select * from {{ ref('int_kpi_weights_daily') }}
),

catalog as (
    select kpi, scope, aggregation, is_money from {{ ref('kpi_scoring_catalog') }}
),

actuals as (
    select kpi, scope, scope_id, local_date, numerator, denominator
    from {{ ref('fct_kpi_actuals_daily') }}
),

targets as (
    select
        kpi,
        scope,
        scope_id,
        local_date,
        config_version,
        sum(daily_target) as daily_target,
        sum(daily_target_reporting) as daily_target_reporting
    from {{ ref('kpi_targets_daily') }}
    group by kpi, scope, scope_id, local_date, config_version
),

subject_kpi_days as (
    select
        weights.subject_kind,
        weights.subject_id,
        weights.team_id,
        weights.kpi,
        weights.local_date,
        weights.config_version,
        weights.scope,
        weights.scope_id,
        weights.direction,
        weights.cap_pct,
        weights.floor_pct,
        catalog.aggregation,
        catalog.is_money,
        actuals.numerator,
        actuals.denominator,
        case when catalog.is_money then targets.daily_target_reporting else targets.daily_target end as daily_target
    from weights
    left join catalog
        on weights.kpi = catalog.kpi
        and weights.scope = catalog.scope
    left join actuals
        on weights.kpi = actuals.kpi
        and weights.scope = actuals.scope
        and weights.scope_id = actuals.scope_id
        and weights.local_date = actuals.local_date
    left join targets
        on weights.kpi = targets.kpi
        and weights.scope = targets.scope
        and weights.scope_id = targets.scope_id
        and weights.local_date = targets.local_date
        and weights.config_version = targets.config_version
),

periods as (
    {% for period_type, period_start in [
        ('day', 'local_date'),
        ('week', dbt.date_trunc('week', 'local_date')),
        ('month', dbt.date_trunc('month', 'local_date')),
        ('quarter', dbt.date_trunc('quarter', 'local_date')),
    ] %}
    select
        subject_kpi_days.*,
        '{{ period_type }}' as period_type,
        cast({{ period_start }} as date) as period_start
    from subject_kpi_days
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

ranked as (
    select
        periods.*,
        row_number() over (
            partition by subject_kind, subject_id, team_id, kpi, period_type, period_start
            order by local_date desc
        ) as days_from_end
    from periods
),

aggregated as (
    select
        subject_kind,
        subject_id,
        team_id,
        kpi,
        period_type,
        period_start,
        max(case when days_from_end = 1 then scope end) as scope,
        max(case when days_from_end = 1 then scope_id end) as scope_id,
        max(case when days_from_end = 1 then direction end) as direction,
        max(case when days_from_end = 1 then cap_pct end) as cap_pct,
        max(case when days_from_end = 1 then floor_pct end) as floor_pct,
        max(case when days_from_end = 1 then aggregation end) as aggregation,
        max(case when days_from_end = 1 then config_version end) as config_version,
        max(case when days_from_end = 1 and is_money then 1 else 0 end) as is_money,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        sum(daily_target) as target_sum,
        avg(daily_target) as target_mean,
        count(*) as days_in_period,
        count(daily_target) as days_with_target
    from ranked
    group by subject_kind, subject_id, team_id, kpi, period_type, period_start
),

measured as (
    select
        aggregated.*,
        cast(case
            when aggregation = 'sum' then coalesce(numerator, 0)
            when aggregation = 'ratio' then {{ safe_ratio('numerator', 'denominator') }}
        end as decimal(38, 6)) as actual,
        cast(case
            when aggregation = 'sum' then target_sum
            when aggregation = 'ratio' then target_mean
        end as decimal(38, 6)) as target
    from aggregated
),

final as (
    select
        subject_kind,
        subject_id,
        team_id,
        kpi,
        period_type,
        period_start,
        scope,
        scope_id,
        aggregation,
        case when is_money = 1 then '{{ var("reporting_currency") }}' end as currency,
        actual,
        target,
        {{ achievement_pct('actual', 'target', 'direction', 'cap_pct') }} as achievement_pct_raw,
        {{ capped(achievement_pct('actual', 'target', 'direction', 'cap_pct'), 'floor_pct', 'cap_pct') }}
            as achievement_pct,
        direction,
        cap_pct,
        floor_pct,
        config_version,
        cast(days_in_period as integer) as days_in_period,
        cast(days_with_target as integer) as days_with_target
    from measured
)

select * from final
