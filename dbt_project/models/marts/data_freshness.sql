{#- How current each source is, one row per source × shop (FX: per shop, for the shop's
    currency): the newest event it holds and the last time a page of it landed, judged against
    the `freshness_thresholds` seed at the pipeline's "now" (macro pipeline_now). Loads are
    judged on the landing time (a quiet shop may have no new order in a day and still be
    current); FX on its newest publication day (the ECB files carry no landing time), and a
    currency the ECB does not quote (VND) on the newest row of the supplementary rates seed
    that is in force (source fx_supplementary: kept by hand, so judged on its own cadence). A KPI
    row of a shop whose source is 'warn' or 'error' here rests on stale inputs. -#}

with thresholds as (
    select * from {{ ref('freshness_thresholds') }}
),

shops as (
    select shop_id, currency from {{ ref('dim_shops') }}
),

orders as (
    select
        'tiktok_shop_orders' as source,
        shop_id,
        max(updated_at_utc) as newest_event_at_utc,
        max(loaded_at_utc) as last_success_at_utc
    from {{ ref('stg_tiktok_shop__orders') }}
    group by shop_id
),

analytics as (
    select
        'tiktok_shop_analytics' as source,
        shop_id,
        cast(max(performance_date) as timestamp) as newest_event_at_utc,
        max(loaded_at_utc) as last_success_at_utc
    from {{ ref('stg_tiktok_shop__shop_performance_days') }}
    group by shop_id
),

ads as (
    select
        'tiktok_ads' as source,
        shop_id,
        cast(max(local_date) as timestamp) as newest_event_at_utc,
        max(loaded_at_utc) as last_success_at_utc
    from {{ ref('fct_ads_daily') }}
    where shop_id is not null
    group by shop_id
),

erp as (
    select
        'erp' as source,
        fct_orders.shop_id,
        max(lines.shipped_at_utc) as newest_event_at_utc,
        max(lines.loaded_at_utc) as last_success_at_utc
    from {{ ref('int_erp_fulfilment_lines') }} as lines
    inner join {{ ref('fct_orders') }} as fct_orders on lines.order_id = fct_orders.order_id
    group by fct_orders.shop_id
),

fx as (
    -- The newest rate in force for the shop's currency, from the ECB (source fx) or, for a
    -- currency the ECB does not quote, from the supplementary seed (source fx_supplementary).
    select
        case when rates.rate_source = 'ecb' then 'fx' else 'fx_supplementary' end as source,
        shops.shop_id,
        cast(max(rates.rate_published_on) as timestamp) as newest_event_at_utc,
        cast(null as timestamp) as last_success_at_utc
    from shops
    inner join {{ ref('int_fx_rates_daily') }} as rates on shops.currency = rates.currency
    group by rates.rate_source, shops.shop_id
),

every_source as (
    select * from orders
    union all
    select * from analytics
    union all
    select * from ads
    union all
    select * from erp
    union all
    select * from fx
),

aged as (
    select
        every_source.*,
        thresholds.warn_after_hours,
        thresholds.error_after_hours,
        thresholds.what_to_do,
        {{ dbt.datediff(
            "case when thresholds.measured_on = 'event' then every_source.newest_event_at_utc else every_source.last_success_at_utc end",
            pipeline_now(), 'hour') }} as age_hours
    from every_source
    inner join thresholds on every_source.source = thresholds.source
)

select
    source,
    shop_id,
    newest_event_at_utc,
    last_success_at_utc,
    cast(age_hours as bigint) as age_hours,
    case
        when age_hours is null or age_hours > error_after_hours then 'error'
        when age_hours > warn_after_hours then 'warn'
        else 'ok'
    end as status,
    case
        when age_hours is null then 'Never landed. ' || what_to_do
        when age_hours > warn_after_hours
            then cast(age_hours as varchar) || ' h old (warn after ' || cast(warn_after_hours as varchar)
                || ' h, error after ' || cast(error_after_hours as varchar) || ' h). ' || what_to_do
    end as reason
from aged
