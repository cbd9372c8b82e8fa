{#- The authorized shops as the newest shops snapshot lists them. -#}

with raw_pages as (
    select fetched_at, body from {{ source('tiktok_shop', 'shops') }}
),

shop_rows as (
    {{ json_array_rows('raw_pages', 'body', '$.data.shops', 'shop_json', ['fetched_at']) }}
),

keyed as (
    select
        {{ json_text('shop_json', '$.id') }} as shop_id,
        {{ json_text('shop_json', '$.name') }} as shop_name,
        {{ json_text('shop_json', '$.region') }} as market,
        {{ json_text('shop_json', '$.seller_type') }} as seller_type,
        {{ json_text('shop_json', '$.code') }} as shop_code,
        fetched_at as loaded_at_utc
    from shop_rows
),

latest as (
    {{ latest_row_per_key('keyed', ['shop_id'], 'loaded_at_utc desc',
                          ['shop_id', 'shop_name', 'market', 'seller_type', 'shop_code', 'loaded_at_utc']) }}
)

select * from latest
