{#- One row per SKU of each product's newest version: seller SKU (the key ERP data joins on),
    list price and stock summed over the product's warehouses at that version. -#}

with latest_products as (
    select product_id, shop_id, product_json from {{ ref('base_tiktok_shop__products') }}
),

skus as (
    {{ json_array_rows('latest_products', 'product_json', '$.skus', 'sku_json', ['product_id', 'shop_id']) }}
),

sku_rows as (
    select
        {{ json_text('sku_json', '$.id') }} as sku_id,
        product_id,
        shop_id,
        sku_json
    from skus
),

stock_rows as (
    {{ json_array_rows('sku_rows', 'sku_json', '$.inventory', 'stock_json', ['sku_id']) }}
),

stock as (
    select
        sku_id,
        sum(cast({{ json_text('stock_json', '$.quantity') }} as bigint)) as units_in_stock,
        count(*) as warehouses
    from stock_rows
    group by sku_id
)

select
    sku_rows.sku_id,
    sku_rows.product_id,
    sku_rows.shop_id,
    {{ json_text('sku_rows.sku_json', '$.seller_sku') }} as seller_sku,
    {{ json_text('sku_rows.sku_json', '$.price.currency') }} as currency,
    {{ to_money(json_text('sku_rows.sku_json', '$.price.amount')) }} as list_price_amount,
    coalesce(stock.units_in_stock, 0) as units_in_stock,
    coalesce(stock.warehouses, 0) as warehouses
from sku_rows
left join stock on sku_rows.sku_id = stock.sku_id
