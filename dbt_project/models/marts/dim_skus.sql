{#- One row per TikTok SKU: the seller SKU that ties it to ERP data, and the ERP warehouse and
    local SKU its stock is counted under. Identity across sources: TikTok `sku_id` → seller SKU
    (TikTok seller_sku = Lingxing MSKU = the exports' SKU column) → (warehouse, seller SKU),
    the stock pool of fct_inventory_daily; the ERP API's local SKU pairs with the seller SKU
    through its order items. -#}

with skus as (
    select * from {{ ref('stg_tiktok_shop__skus') }}
),

warehouses as (
    select * from {{ ref('int_sku_stock_warehouses') }}
),

local_skus as (
    select seller_sku, min(local_sku) as erp_local_sku
    from {{ ref('stg_erp_api__order_items') }}
    where local_sku is not null and seller_sku is not null
    group by seller_sku
)

select
    skus.sku_id,
    skus.shop_id,
    skus.product_id,
    skus.seller_sku,
    warehouses.warehouse as stock_warehouse,
    coalesce(warehouses.warehouse_basis, 'unmapped') as warehouse_basis,
    local_skus.erp_local_sku
from skus
left join warehouses on skus.shop_id = warehouses.shop_id and skus.seller_sku = warehouses.seller_sku
left join local_skus on skus.seller_sku = local_skus.seller_sku
