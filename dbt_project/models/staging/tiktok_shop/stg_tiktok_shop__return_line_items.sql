{#- One row per returned order line (one unit) of each request's newest version. -#}

with latest_returns as (
    select return_id, shop_id, return_json from {{ ref('base_tiktok_shop__returns') }}
),

line_items as (
    {{ json_array_rows('latest_returns', 'return_json', '$.return_line_items', 'line_json', ['return_id', 'shop_id']) }}
),

typed as (
    select
        {{ json_text('line_json', '$.return_line_item_id') }} as return_line_item_id,
        return_id,
        shop_id,
        {{ json_text('line_json', '$.order_line_item_id') }} as line_item_id,
        {{ json_text('line_json', '$.sku_id') }} as sku_id,
        {{ json_text('line_json', '$.seller_sku') }} as seller_sku,
        {{ json_text('line_json', '$.refund_amount.currency') }} as currency,
        {{ to_money(json_text('line_json', '$.refund_amount.refund_subtotal')) }} as refund_subtotal_amount,
        {{ to_money(json_text('line_json', '$.refund_amount.refund_total')) }} as refund_total_amount
    from line_items
)

select * from typed
