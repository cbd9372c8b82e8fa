{#- One row per LIVE session with its host, times, audience and sales (newest fetch wins).
    Times arrive as Unix-second strings in UTC. -#}

with raw_pages as (
    select shop_id, request_id, fetched_at, body
    from {{ source('tiktok_shop_content', 'live_sessions') }}
),

session_rows as (
    {{ json_array_rows('raw_pages', 'body', '$.data.live_stream_sessions', 'live_json',
                       ['shop_id', 'request_id', 'fetched_at']) }}
),

typed as (
    select
        {{ json_text('live_json', '$.id') }} as live_id,
        shop_id,
        {{ json_text('live_json', '$.title') }} as title,
        {{ json_text('live_json', '$.username') }} as host_username,
        {{ epoch_seconds_to_utc(json_text('live_json', '$.start_time')) }} as started_at_utc,
        {{ epoch_seconds_to_utc(json_text('live_json', '$.end_time')) }} as ended_at_utc,
        cast({{ json_text('live_json', '$.interaction_performance.pcu') }} as integer) as peak_viewers,
        cast({{ json_text('live_json', '$.interaction_performance.viewers') }} as integer) as total_viewers,
        cast({{ json_text('live_json', '$.interaction_performance.avg_viewing_duration') }} as decimal(10, 1))
            as avg_watch_seconds,
        cast({{ json_text('live_json', '$.sales_performance.sku_orders') }} as integer) as attributed_orders,
        cast({{ json_text('live_json', '$.sales_performance.customers') }} as integer) as buyers,
        cast({{ json_text('live_json', '$.sales_performance.unit_sold') }} as integer) as units_sold,
        {{ json_text('live_json', '$.sales_performance.gmv.currency') }} as currency,
        {{ to_money(json_text('live_json', '$.sales_performance.gmv.amount')) }} as gmv_amount,
        fetched_at as loaded_at_utc,
        request_id as loaded_from_request_id
    from session_rows
),

latest as (
    {{ latest_row_per_key('typed', ['live_id'], 'loaded_at_utc desc',
        ['live_id', 'shop_id', 'title', 'host_username', 'started_at_utc', 'ended_at_utc',
         'peak_viewers', 'total_viewers', 'avg_watch_seconds', 'attributed_orders', 'buyers',
         'units_sold', 'currency', 'gmv_amount', 'loaded_at_utc', 'loaded_from_request_id']) }}
)

select * from latest
