{#- One row per item of each ERP order's newest version: MSKU (= TikTok seller_sku), local
    SKU, quantity, unit price in the order currency, unit purchase cost and estimated freight in
    CNY. `item_position` is the item's place in the order (by item id), so package-level
    amounts can be put on one line only. -#}

with latest as (
    select erp_order_no, order_json from {{ ref('base_erp_api__orders') }}
),

items as (
    {{ json_array_rows('latest', 'order_json', '$.item_info', 'item_json', ['erp_order_no', 'order_json']) }}
),

parsed as (
    select
        {{ json_text('item_json', '$.id') }} as erp_item_id,
        erp_order_no,
        {{ json_text('item_json', '$.platform_order_no') }} as order_id,
        {{ json_text('item_json', '$.msku') }} as seller_sku,
        nullif({{ json_text('item_json', '$.local_sku') }}, '') as local_sku,
        cast({{ json_text('item_json', '$.quantity') }} as integer) as quantity,
        {{ to_money(json_text('item_json', '$.unit_price_amount')) }} as unit_price_amount,
        {{ json_text('order_json', '$.amount_currency') }} as currency,
        {{ to_money("nullif(" ~ json_text('item_json', '$.cg_price_amount') ~ ", '')") }} as unit_purchase_cost_cny,
        {{ to_money("nullif(" ~ json_text('item_json', '$.shipping_amount') ~ ", '')") }} as estimated_shipping_cny,
        coalesce(cast({{ json_text('item_json', '$.is_delete') }} as integer), 0) = 1 as is_deleted
    from items
)

select
    erp_item_id,
    erp_order_no,
    order_id,
    seller_sku,
    local_sku,
    quantity,
    unit_price_amount,
    currency,
    unit_purchase_cost_cny,
    estimated_shipping_cny,
    is_deleted,
    row_number() over (partition by erp_order_no order by erp_item_id) as item_position
from parsed
