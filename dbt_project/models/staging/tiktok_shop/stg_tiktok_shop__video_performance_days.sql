{#- One row per video and shop-local day. The list endpoint aggregates over its date window,
    so each page was fetched for ONE day and the day comes from the query sent
    (`start_date_ge`). Newest fetch wins (days restate). -#}

with raw_pages as (
    select shop_id, request_id, fetched_at, request_query, body
    from {{ source('tiktok_shop_content', 'video_performance_daily') }}
),

video_rows as (
    {{ json_array_rows('raw_pages', 'body', '$.data.videos', 'video_json',
                       ['shop_id', 'request_id', 'fetched_at', 'request_query']) }}
),

typed as (
    select
        {{ json_text('video_json', '$.id') }} as video_id,
        shop_id,
        cast({{ json_text('request_query', '$.start_date_ge') }} as date) as performance_date,
        cast({{ json_text('video_json', '$.views') }} as bigint) as views,
        cast({{ json_text('video_json', '$.likes') }} as bigint) as likes,
        cast({{ json_text('video_json', '$.comments') }} as bigint) as comments,
        cast({{ json_text('video_json', '$.shares') }} as bigint) as shares,
        cast({{ json_text('video_json', '$.product_clicks') }} as bigint) as product_clicks,
        cast({{ json_text('video_json', '$.sku_orders') }} as integer) as attributed_orders,
        cast({{ json_text('video_json', '$.units_sold') }} as integer) as units_sold,
        {{ json_text('video_json', '$.gmv.currency') }} as currency,
        {{ to_money(json_text('video_json', '$.gmv.amount')) }} as gmv_amount,
        fetched_at as loaded_at_utc,
        request_id as loaded_from_request_id
    from video_rows
),

latest as (
    {{ latest_row_per_key('typed', ['video_id', 'performance_date'], 'loaded_at_utc desc',
        ['video_id', 'shop_id', 'performance_date', 'views', 'likes', 'comments', 'shares',
         'product_clicks', 'attributed_orders', 'units_sold', 'currency', 'gmv_amount',
         'loaded_at_utc', 'loaded_from_request_id']) }}
)

select
    {{ dbt.concat(['video_id', "'|'", 'cast(performance_date as ' ~ dbt.type_string() ~ ')']) }}
        as video_performance_day_id,
    *
from latest
