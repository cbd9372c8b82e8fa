{#- One row per shoppable video, from its newest appearance in the video performance pages
    (there is no separate video list endpoint). `posted_by_username` is the shop's account or
    a creator's handle (creators: see stg_tiktok_shop__creators). -#}

with raw_pages as (
    select shop_id, request_id, fetched_at, body
    from {{ source('tiktok_shop_content', 'video_performance_daily') }}
),

video_rows as (
    {{ json_array_rows('raw_pages', 'body', '$.data.videos', 'video_json',
                       ['shop_id', 'request_id', 'fetched_at']) }}
),

typed as (
    select
        {{ json_text('video_json', '$.id') }} as video_id,
        shop_id,
        {{ json_text('video_json', '$.title') }} as title,
        {{ json_text('video_json', '$.username') }} as posted_by_username,
        {{ json_text('video_json', '$.products[0].id') }} as product_id,
        cast(replace(replace({{ json_text('video_json', '$.video_post_time') }}, 'T', ' '), 'Z', '') as timestamp)
            as posted_at_utc,
        cast({{ json_text('video_json', '$.duration') }} as integer) as duration_seconds,
        fetched_at as loaded_at_utc
    from video_rows
),

latest as (
    {{ latest_row_per_key('typed', ['video_id'], 'loaded_at_utc desc',
        ['video_id', 'shop_id', 'title', 'posted_by_username', 'product_id', 'posted_at_utc',
         'duration_seconds', 'loaded_at_utc']) }}
)

select * from latest
