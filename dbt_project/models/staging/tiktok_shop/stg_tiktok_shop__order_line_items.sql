{#- One row per order line of the newest order version. TikTok has no quantity field: one
    line item is one unit, so units are counted as lines. -#}

with latest_orders as (
    select order_id, shop_id, order_json from {{ ref('base_tiktok_shop__orders') }}
),

line_items as (
    {{ json_array_rows('latest_orders', 'order_json', '$.line_items', 'line_json', ['order_id', 'shop_id']) }}
),

typed as (
    select
        {{ json_text('line_json', '$.id') }} as line_item_id,
        order_id,
        shop_id,
        {{ json_text('line_json', '$.sku_id') }} as sku_id,
        {{ json_text('line_json', '$.product_id') }} as product_id,
        {{ json_text('line_json', '$.product_name') }} as product_name,
        {{ json_text('line_json', '$.seller_sku') }} as seller_sku,
        {{ json_text('line_json', '$.currency') }} as currency,
        {{ to_money(json_text('line_json', '$.original_price')) }} as original_price_amount,
        {{ to_money(json_text('line_json', '$.seller_discount')) }} as seller_discount_amount,
        {{ to_money(json_text('line_json', '$.platform_discount')) }} as platform_discount_amount,
        {{ to_money(json_text('line_json', '$.sale_price')) }} as sale_price_amount,
        {{ json_text('line_json', '$.display_status') }} as display_status,
        coalesce(cast({{ json_text('line_json', '$.is_gift') }} as boolean), false) as is_gift
    from line_items
)

select * from typed
