{#- Every target line × every day of every scored month it covers (full calendar month).
    Sum KPIs: the effective monthly target M is spread over the days by day_weight = the
    baseline's share of the day's ISO weekday × the largest promotion day_weight of a promotion
    on that day in one of the scope's markets (1 otherwise); planned_daily_target =
    round(M·cumW/W, 2) − round(M·cumW_prev/W, 2), so a month sums EXACTLY to M. Ratio KPIs:
    the monthly level every day (day_weight null). A target override (kind target) of the
    month's version multiplies daily_target inside its dates only. daily_target_reporting:
    money targets at the day's rate of the target currency (the newest known rate for days
    after it); non-money targets as is. implied_* (gmv_reporting targets only) turn the daily
    GMV target into orders (÷ baseline AOV), videos and LIVE hours (× the baseline's rates). -#}

with lines as (
    select * from {{ ref('int_kpi_target_lines_monthly') }}
),

calendar as (
    select cast(date_day as date) as local_date from {{ ref('int_calendar_days') }}
),

baselines as (
    select * from {{ ref('kpi_baselines') }}
),

promotion_weights as (
    select
        scope_markets.target_id,
        scope_markets.month_start,
        promotions.date_from,
        promotions.date_to,
        promotions.day_weight
    from {{ ref('int_kpi_target_scope_markets') }} as scope_markets
    inner join lines
        on scope_markets.target_id = lines.target_id and scope_markets.month_start = lines.month_start
    inner join {{ ref('stg_kpi_config__promotions') }} as promotions
        on lines.config_version = promotions.config_version
        and (promotions.market is null or promotions.market = scope_markets.market)
),

overrides as (
    select config_version, override_id, scope, scope_id, kpi, date_from, date_to, target_factor
    from {{ ref('stg_kpi_config__overrides') }}
    where kind = 'target'
),

fx as (
    select local_date as rate_day, currency, units_per_eur, reporting_units_per_eur, reporting_per_unit from {{ ref('fct_fx_rates_daily') }}
),

fx_last as (
    select currency, max(rate_day) as last_rate_day from fx group by currency
),

days as (
    select
        lines.*,
        calendar.local_date,
        {{ iso_weekday('calendar.local_date') }} as iso_weekday
    from lines
    inner join calendar
        on calendar.local_date >= lines.month_start
        and calendar.local_date < {{ dbt.dateadd('month', 1, 'lines.month_start') }}
),

weighted as (
    select
        days.*,
        baselines.status as baseline_status,
        baselines.baseline_aov_amount_reporting,
        baselines.videos_per_order,
        baselines.live_hours_per_order,
        case
            when days.aggregation = 'sum' then cast(
                case days.iso_weekday
                    {% for day in range(1, 8) -%}
                    when {{ day }} then coalesce(baselines.weekday_share_{{ day }}, {{ even_weekday_share() }})
                    {% endfor -%}
                end
                * coalesce((
                    select max(promotion_weights.day_weight)
                    from promotion_weights
                    where promotion_weights.target_id = days.target_id
                      and promotion_weights.month_start = days.month_start
                      and days.local_date between promotion_weights.date_from and promotion_weights.date_to
                ), 1)
            as decimal(38, 10))
        end as day_weight
    from days
    left join baselines
        on days.scope = baselines.scope
        and days.scope_id = baselines.scope_id
        and days.kpi = baselines.kpi
        and days.month_from = baselines.baseline_for_month
),

cumulative as (
    select
        weighted.*,
        sum(day_weight) over (
            partition by target_id, month_start order by local_date rows between unbounded preceding and current row
        ) as cumulative_weight,
        sum(day_weight) over (partition by target_id, month_start) as total_weight
    from weighted
),

planned_cumulative as (
    select
        cumulative.*,
        {{ planned_cumulative_target('monthly_target_effective', 'cumulative_weight', 'total_weight') }} as planned_to_date
    from cumulative
),

planned as (
    select
        planned_cumulative.*,
        case
            when aggregation = 'sum' then planned_to_date - coalesce(
                lag(planned_to_date) over (partition by target_id, month_start order by local_date), 0
            )
            else monthly_target_effective
        end as planned_daily_target
    from planned_cumulative
),

overridden as (
    select
        planned.*,
        overrides.override_id,
        overrides.target_factor as override_factor,
        cast(round(planned.planned_daily_target * coalesce(overrides.target_factor, 1), 2) as decimal(38, 2)) as daily_target
    from planned
    left join overrides
        on planned.config_version = overrides.config_version
        and planned.scope = overrides.scope
        and planned.scope_id = overrides.scope_id
        and planned.kpi = overrides.kpi
        and planned.local_date between overrides.date_from and overrides.date_to
),

converted as (
    select
        overridden.*,
        case
            when not overridden.is_money then overridden.daily_target
            else {{ in_reporting_currency('overridden.daily_target', 'fx.units_per_eur', 'fx.reporting_units_per_eur', 'overridden.target_currency') }}
        end as daily_target_reporting
    from overridden
    left join fx_last on overridden.target_currency = fx_last.currency
    left join fx
        on overridden.target_currency = fx.currency
        and fx.rate_day = case
            when overridden.local_date > fx_last.last_rate_day then fx_last.last_rate_day
            else overridden.local_date
        end
),

final as (
    select
        target_id,
        scope,
        scope_id,
        kpi,
        local_date,
        month_start,
        config_version,
        aggregation,
        target_currency,
        monthly_target_stated,
        maturity_factor,
        transition_factor,
        monthly_target_effective,
        day_weight,
        cast(planned_daily_target as decimal(38, 2)) as planned_daily_target,
        override_id,
        override_factor,
        daily_target,
        cast(daily_target_reporting as decimal(38, 2)) as daily_target_reporting,
        case when is_money then '{{ var("reporting_currency") }}' end as reporting_currency,
        baseline_status,
        case when kpi = 'gmv_reporting' then cast({{ safe_ratio('daily_target_reporting', 'baseline_aov_amount_reporting', 4) }} as decimal(38, 4)) end as implied_orders,
        case when kpi = 'gmv_reporting' then baseline_aov_amount_reporting end as implied_aov_amount_reporting,
        case when kpi = 'gmv_reporting'
            then cast({{ safe_ratio('daily_target_reporting', 'baseline_aov_amount_reporting', 4) }} * videos_per_order as decimal(38, 4))
        end as implied_videos,
        case when kpi = 'gmv_reporting'
            then cast({{ safe_ratio('daily_target_reporting', 'baseline_aov_amount_reporting', 4) }} * live_hours_per_order as decimal(38, 4))
        end as implied_live_hours
    from converted
)

select * from final
