{#- Every LIVE session once with its shop-local start day and hour, duration, total watch
    seconds (average per viewer x viewers, so host and day roll-ups can recompute the average
    as a ratio of sums) and its GMV converted at the rate of its local start day. -#}

with sessions as (
    select * from {{ ref('stg_tiktok_shop__live_sessions') }}
),

shops as (
    select shop_id, market, currency as shop_currency, time_zone from {{ ref('dim_shops') }}
),

joined as (
    select
        sessions.*,
        shops.market,
        shops.shop_currency,
        {{ utc_to_local_date('sessions.started_at_utc', 'shops.time_zone') }} as started_local_date,
        {{ utc_to_local_hour('sessions.started_at_utc', 'shops.time_zone') }} as started_local_hour
    from sessions
    left join shops on sessions.shop_id = shops.shop_id
),

rates as (
    select local_date as rate_day, currency, units_per_eur, reporting_units_per_eur, reporting_per_unit
    from {{ ref('fct_fx_rates_daily') }}
),

final as (
    select
        joined.live_id,
        joined.shop_id,
        joined.market,
        joined.title,
        joined.host_username,
        joined.started_at_utc,
        joined.ended_at_utc,
        joined.started_local_date,
        joined.started_local_hour,
        cast({{ dbt.datediff('joined.started_at_utc', 'joined.ended_at_utc', 'second') }} as bigint)
            as duration_seconds,
        joined.peak_viewers,
        joined.total_viewers,
        joined.avg_watch_seconds,
        cast(joined.avg_watch_seconds * joined.total_viewers as decimal(18, 1)) as total_watch_seconds,
        joined.attributed_orders,
        joined.buyers,
        joined.units_sold,
        coalesce(joined.currency, joined.shop_currency) as currency,
        joined.gmv_amount,
        '{{ var("reporting_currency") }}' as reporting_currency,
        {{ in_reporting_currency('joined.gmv_amount', 'rates.units_per_eur', 'rates.reporting_units_per_eur', 'coalesce(joined.currency, joined.shop_currency)') }} as gmv_amount_reporting
    from joined
    left join rates
        on rates.rate_day = joined.started_local_date
        and rates.currency = coalesce(joined.currency, joined.shop_currency)
)

select * from final
