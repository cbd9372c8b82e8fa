{#- One row per product review (newest version: a seller reply moves `update_time`), with
    the shop-local day it was written. No reviewer identity and no review text: buyers write
    names and phone numbers into reviews too, so the text stays in raw. -#}

with review_pages as (
    select shop_id, fetched_at, request_id, body
    from {{ source('tiktok_shop_service', 'product_reviews') }}
),

review_rows as (
    {{ json_array_rows('review_pages', 'body', '$.data.reviews', 'review_json',
                       ['shop_id', 'fetched_at', 'request_id']) }}
),

keyed as (
    select
        {{ json_text('review_json', '$.id') }} as review_id,
        shop_id,
        cast({{ json_text('review_json', '$.update_time') }} as bigint) as update_time,
        fetched_at,
        request_id,
        review_json
    from review_rows
),

latest as (
    {{ latest_row_per_key('keyed', ['review_id'], 'update_time desc, fetched_at desc',
        ['review_id', 'shop_id', 'update_time', 'fetched_at', 'request_id', 'review_json']) }}
),

shop_time_zones as (
    select shops.shop_id, markets.time_zone
    from {{ ref('stg_tiktok_shop__shops') }} as shops
    inner join {{ ref('markets') }} as markets on shops.market = markets.market
),

typed as (
    select
        latest.review_id,
        latest.shop_id,
        {{ json_text('review_json', '$.order_id') }} as order_id,
        {{ json_text('review_json', '$.product_id') }} as product_id,
        {{ json_text('review_json', '$.sku_id') }} as sku_id,
        cast({{ json_text('review_json', '$.rating') }} as integer) as rating,
        {{ epoch_seconds_to_utc(json_text('review_json', '$.create_time')) }} as created_at_utc,
        {{ epoch_seconds_to_utc('latest.update_time') }} as updated_at_utc,
        {{ json_text('review_json', '$.seller_reply.create_time') }} is not null as has_seller_reply,
        latest.fetched_at as loaded_at_utc,
        latest.request_id as loaded_from_request_id
    from latest
),

final as (
    select
        typed.review_id,
        typed.shop_id,
        typed.order_id,
        typed.product_id,
        typed.sku_id,
        typed.rating,
        typed.rating <= 2 as is_bad_review,
        typed.created_at_utc,
        {{ utc_to_local_date('typed.created_at_utc', 'shop_time_zones.time_zone') }} as created_local_date,
        typed.updated_at_utc,
        typed.has_seller_reply,
        typed.loaded_at_utc,
        typed.loaded_from_request_id
    from typed
    left join shop_time_zones on typed.shop_id = shop_time_zones.shop_id
)

select * from final
