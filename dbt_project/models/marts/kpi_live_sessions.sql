{#- LIVE KPIs per session (with its host): time on air, audience, average watch time per
    viewer, attributed paid orders and GMV (shop and reporting currency), GMV per hour.
    Return rate of the session's orders: the order and affiliate APIs do not say which orders
    came through a shop's own LIVE (affiliate orders name only creator content), so the
    warehouse cannot link them; `session_return_rate` stays null rather than guessed. -#}

with sessions as (
    select * from {{ ref('int_content_live_sessions') }}
),

final as (
    select
        live_id,
        shop_id,
        market,
        host_username,
        started_local_date as local_date,
        started_local_hour,
        duration_seconds,
        cast({{ hours_on_air('duration_seconds', 2) }} as decimal(9, 2)) as duration_hours,
        total_viewers as viewers,
        peak_viewers,
        {{ avg_watch_seconds_per_viewer('total_watch_seconds', 'total_viewers') }} as avg_watch_seconds_per_viewer,
        cast(attributed_orders as bigint) as orders,
        cast(buyers as bigint) as buyers,
        cast(units_sold as bigint) as units,
        currency,
        {{ to_money('gmv_amount') }} as gmv_amount,
        reporting_currency,
        {{ to_money('gmv_amount_reporting') }} as gmv_amount_reporting,
        {{ gmv_per_hour('gmv_amount', 'duration_seconds') }} as gmv_per_hour_amount,
        {{ gmv_per_hour('gmv_amount_reporting', 'duration_seconds') }} as gmv_per_hour_amount_reporting,
        cast(null as decimal(38, 6)) as session_return_rate
    from sessions
)

select * from final
