{{ config(
    materialized='incremental',
    unique_key=['scope', 'scope_id', 'kpi', 'baseline_for_month'],
    incremental_strategy='delete+insert',
    full_refresh=false,
    on_schema_change='fail'
) }}

{#- The baseline of every target line: the `baseline_weeks` × 7 days before the line's first
    month (baseline_for_month = month_from), from fct_kpi_actuals_daily. `complete` when every
    day of the window has loaded data for the scope, `provisional` when some, `missing` when
    none. A complete row is inserted once and never recomputed (an incremental run skips keys
    stored complete; full_refresh is off); provisional and missing rows are replaced each build.
    Weekday shares (ISO Mon..Sun) are each weekday's mean daily numerator over the window's
    days with data divided by the sum of the seven means (a weekday without data counts at the
    window's daily mean); equal shares (1/7) for ratio KPIs, a missing baseline or an all-zero
    window. -#}

with settings as (
    select baseline_weeks
    from {{ ref('stg_kpi_config__settings') }}
    where config_version = (select max(config_version) from {{ ref('stg_kpi_config__settings') }})
),

lines as (
    select distinct targets.scope, targets.scope_id, targets.kpi, targets.month_from as baseline_for_month
    from {{ ref('stg_kpi_config__targets') }} as targets
    where targets.config_version in (select config_version from {{ ref('int_kpi_scoring_versions') }})
),

windows as (
    select
        lines.scope,
        lines.scope_id,
        lines.kpi,
        lines.baseline_for_month,
        cast({{ dbt.dateadd('day', '-7 * settings.baseline_weeks', 'lines.baseline_for_month') }} as date) as window_start,
        cast({{ dbt.dateadd('day', -1, 'lines.baseline_for_month') }} as date) as window_end,
        settings.baseline_weeks * 7 as window_days
    from lines
    cross join settings
    {% if is_incremental() %}
    where not exists (
        select 1
        from {{ this }} as stored
        where stored.status = 'complete'
          and stored.scope = lines.scope
          and stored.scope_id = lines.scope_id
          and stored.kpi = lines.kpi
          and stored.baseline_for_month = lines.baseline_for_month
    )
    {% endif %}
),

catalog as (
    select kpi, scope, aggregation from {{ ref('kpi_scoring_catalog') }}
),

actuals as (
    select kpi, scope, scope_id, local_date, numerator, denominator
    from {{ ref('fct_kpi_actuals_daily') }}
),

window_days as (
    select
        windows.scope,
        windows.scope_id,
        windows.kpi,
        windows.baseline_for_month,
        actuals.local_date,
        {{ iso_weekday('actuals.local_date') }} as iso_weekday,
        actuals.numerator,
        actuals.denominator
    from windows
    inner join actuals
        on windows.scope = actuals.scope
        and windows.scope_id = actuals.scope_id
        and windows.kpi = actuals.kpi
        and actuals.local_date between windows.window_start and windows.window_end
),

window_totals as (
    select
        scope,
        scope_id,
        kpi,
        baseline_for_month,
        count(distinct local_date) as days_with_data,
        sum(numerator) as numerator,
        sum(denominator) as denominator
    from window_days
    group by scope, scope_id, kpi, baseline_for_month
),

weekday_means as (
    select
        scope,
        scope_id,
        kpi,
        baseline_for_month,
        -- Means in decimal to 10 places (rounded_division), not float.
        {% for day in range(1, 8) -%}
        {{ safe_ratio('sum(case when iso_weekday = ' ~ day ~ ' then numerator end)',
                      'sum(case when iso_weekday = ' ~ day ~ ' then 1 else 0 end)', 10) }} as mean_{{ day }},
        {% endfor -%}
        {{ safe_ratio('sum(numerator)', 'count(*)', 10) }} as mean_all
    from window_days
    group by scope, scope_id, kpi, baseline_for_month
),

-- Conversion rates of the same scope over the window (GMV → orders → content work).
scope_window_sums as (
    select
        windows.scope,
        windows.scope_id,
        windows.baseline_for_month,
        sum(case when actuals.kpi = 'gmv_reporting' then actuals.numerator end) as gmv,
        sum(case when actuals.kpi = 'orders' then actuals.numerator end) as orders,
        sum(case when actuals.kpi = 'content_posts' then actuals.numerator end) as videos,
        sum(case when actuals.kpi = 'live_duration_hours' then actuals.numerator end) as live_hours
    from (select distinct scope, scope_id, baseline_for_month, window_start, window_end from windows) as windows
    inner join actuals
        on windows.scope = actuals.scope
        and windows.scope_id = actuals.scope_id
        and actuals.local_date between windows.window_start and windows.window_end
        and actuals.kpi in ('gmv_reporting', 'orders', 'content_posts', 'live_duration_hours')
    group by windows.scope, windows.scope_id, windows.baseline_for_month
),

shares as (
    select
        windows.*,
        catalog.aggregation,
        coalesce(window_totals.days_with_data, 0) as days_with_data,
        window_totals.numerator,
        window_totals.denominator,
        {% for day in range(1, 8) -%}
        coalesce(weekday_means.mean_{{ day }}, weekday_means.mean_all) as weekday_mean_{{ day }},
        {% endfor -%}
        (
            {% for day in range(1, 8) -%}
            coalesce(weekday_means.mean_{{ day }}, weekday_means.mean_all){% if not loop.last %} + {% endif %}
            {% endfor -%}
        ) as weekday_mean_total
    from windows
    left join catalog on windows.kpi = catalog.kpi and windows.scope = catalog.scope
    left join window_totals
        on windows.scope = window_totals.scope
        and windows.scope_id = window_totals.scope_id
        and windows.kpi = window_totals.kpi
        and windows.baseline_for_month = window_totals.baseline_for_month
    left join weekday_means
        on windows.scope = weekday_means.scope
        and windows.scope_id = weekday_means.scope_id
        and windows.kpi = weekday_means.kpi
        and windows.baseline_for_month = weekday_means.baseline_for_month
),

final as (
    select
        shares.scope,
        cast(shares.scope_id as varchar) as scope_id,
        shares.kpi,
        cast(shares.baseline_for_month as date) as baseline_for_month,
        shares.window_start,
        shares.window_end,
        cast(shares.days_with_data as integer) as days_with_data,
        case
            when shares.days_with_data >= shares.window_days then 'complete'
            when shares.days_with_data > 0 then 'provisional'
            else 'missing'
        end as status,
        cast(case
            when shares.aggregation = 'sum' then {{ safe_ratio('shares.numerator', 'shares.days_with_data', 6) }}
            else {{ safe_ratio('shares.numerator', 'shares.denominator', 6) }}
        end as decimal(38, 6)) as baseline_value,
        {% for day in range(1, 8) -%}
        cast(case
            when shares.aggregation = 'sum' and shares.weekday_mean_total > 0
                then {{ safe_ratio('shares.weekday_mean_' ~ day, 'shares.weekday_mean_total', 10) }}
            else {{ even_weekday_share() }}
        end as decimal(18, 10)) as weekday_share_{{ day }},
        {% endfor -%}
        {{ aov('scope_window_sums.gmv', 'scope_window_sums.orders') }} as baseline_aov_amount_reporting,
        cast({{ safe_ratio('scope_window_sums.videos', 'scope_window_sums.orders', 6) }} as decimal(38, 6)) as videos_per_order,
        cast({{ safe_ratio('scope_window_sums.live_hours', 'scope_window_sums.orders', 6) }} as decimal(38, 6)) as live_hours_per_order,
        cast({{ dbt.current_timestamp() }} as timestamp) as computed_at_utc
    from shares
    left join scope_window_sums
        on shares.scope = scope_window_sums.scope
        and shares.scope_id = scope_window_sums.scope_id
        and shares.baseline_for_month = scope_window_sums.baseline_for_month
)

select * from final
