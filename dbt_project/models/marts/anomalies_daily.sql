{#- A shop KPI far outside its own recent range, flagged as a warning (issue #14): one row per
    shop × shop-local day × metric with the day's value, the median and median absolute
    deviation (MAD) of the shop's previous `anomaly_baseline_days` complete days, and the
    robust z-score (macro robust_z_score). Robust, not mean ± standard deviation: one
    promotion day in the baseline would widen a standard deviation enough to hide the next.
    A day still under way (its local midnight not yet passed at the pipeline's clock) is
    never judged: it would look like a collapse. -#}

{#- Money metrics carry the shop's currency; counts and ratios none. -#}
{%- set money_metrics = ['gmv_paid_amount', 'aov_paid_amount', 'refund_by_refund_date_amount', 'ads_spend_amount'] -%}
{%- set metrics = money_metrics + ['orders_paid', 'cancellation_rate', 'roas_blended', 'conversion_rate'] -%}

with shop_days as (
    select
        kpis.shop_id,
        kpis.local_date,
        kpis.currency,
        case
            when {{ local_to_utc_timestamp(dbt.dateadd('day', 1, 'kpis.local_date'), 'shops.time_zone') }}
                <= {{ pipeline_now() }} then 1
            else 0
        end as is_complete,
        {% for metric in metrics -%}
        kpis.{{ metric }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from {{ ref('kpi_shop_daily') }} as kpis
    inner join {{ ref('dim_shops') }} as shops on kpis.shop_id = shops.shop_id
),

metric_days as (
    {% for metric in metrics -%}
    select
        shop_id, local_date, currency, is_complete, '{{ metric }}' as metric,
        cast({{ metric }} as decimal(38, 6)) as metric_value
    from shop_days
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

baseline as (
    -- each day's baseline: the same shop and metric on the previous complete days
    select judged.shop_id, judged.local_date, judged.metric, earlier.metric_value as baseline_value
    from metric_days as judged
    inner join metric_days as earlier
        on judged.shop_id = earlier.shop_id
        and judged.metric = earlier.metric
        and earlier.local_date < judged.local_date
        and earlier.local_date >= {{ dbt.dateadd('day', -var('anomaly_baseline_days'), 'judged.local_date') }}
        and earlier.is_complete = 1
),

medians as (
    {{ exact_median('baseline', ['shop_id', 'local_date', 'metric'], 'baseline_value') }}
),

deviations as (
    select
        baseline.shop_id,
        baseline.local_date,
        baseline.metric,
        abs(baseline.baseline_value - medians.median_value) as deviation
    from baseline
    inner join medians
        on baseline.shop_id = medians.shop_id
        and baseline.local_date = medians.local_date
        and baseline.metric = medians.metric
),

mads as (
    {{ exact_median('deviations', ['shop_id', 'local_date', 'metric'], 'deviation') }}
),

scored as (
    select
        metric_days.shop_id,
        metric_days.local_date,
        metric_days.metric,
        metric_days.currency,
        metric_days.is_complete,
        metric_days.metric_value,
        coalesce(medians.value_count, 0) as baseline_days,
        medians.median_value as baseline_median,
        mads.median_value as baseline_mad,
        {{ robust_z_score('metric_days.metric_value', 'medians.median_value', 'mads.median_value') }} as robust_z
    from metric_days
    left join medians
        on metric_days.shop_id = medians.shop_id
        and metric_days.local_date = medians.local_date
        and metric_days.metric = medians.metric
    left join mads
        on metric_days.shop_id = mads.shop_id
        and metric_days.local_date = mads.local_date
        and metric_days.metric = mads.metric
)

select
    shop_id,
    local_date,
    metric,
    case when metric in ('{{ money_metrics | join("', '") }}') then currency end as currency,
    metric_value,
    cast(baseline_days as integer) as baseline_days,
    cast(baseline_median as decimal(38, 7)) as baseline_median,
    cast(baseline_mad as decimal(38, 7)) as baseline_mad,
    cast(robust_z as decimal(18, 2)) as robust_z,
    cast({{ var('anomaly_z_threshold') }} as decimal(6, 2)) as z_threshold,
    case
        when is_complete = 0 then 'day_under_way'
        when metric_value is null then 'no_value'
        when baseline_days < {{ var('anomaly_min_baseline_days') }} then 'short_baseline'
        when robust_z is null then 'no_spread'
        when robust_z > {{ var('anomaly_z_threshold') }} then 'above_range'
        when robust_z < -{{ var('anomaly_z_threshold') }} then 'below_range'
        else 'ok'
    end as status
from scored
