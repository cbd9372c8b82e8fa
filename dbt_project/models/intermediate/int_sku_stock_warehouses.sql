{#- Which ERP warehouse holds the stock a shop sells a seller SKU from: the warehouse of the
    SKU's newest ERP shipment for that shop, else the shop's newest shipment of any SKU
    (`warehouse_basis` 'sku_shipments' / 'shop_shipments'); 'unmapped' (null warehouse) when
    the shop has no ERP shipment yet. Shops that share a seller SKU and a warehouse sell
    from one stock. -#}

with shipments as (
    select orders.shop_id, lines.seller_sku, lines.warehouse, lines.shipped_at_utc, lines.erp_package_no
    from {{ ref('int_erp_fulfilment_lines') }} as lines
    inner join {{ ref('fct_orders') }} as orders on lines.order_id = orders.order_id
    where lines.warehouse is not null
),

per_sku as (
    {{ latest_row_per_key('shipments', ['shop_id', 'seller_sku'], 'shipped_at_utc desc, erp_package_no desc',
        ['shop_id', 'seller_sku', 'warehouse']) }}
),

per_shop as (
    {{ latest_row_per_key('shipments', ['shop_id'], 'shipped_at_utc desc, erp_package_no desc',
        ['shop_id', 'warehouse']) }}
),

shop_skus as (
    select shop_id, seller_sku from {{ ref('stg_tiktok_shop__order_line_items') }}
    where seller_sku is not null
    union
    select shop_id, seller_sku from {{ ref('stg_tiktok_shop__skus') }}
    where seller_sku is not null
)

select
    shop_skus.shop_id,
    shop_skus.seller_sku,
    coalesce(per_sku.warehouse, per_shop.warehouse) as warehouse,
    case
        when per_sku.warehouse is not null then 'sku_shipments'
        when per_shop.warehouse is not null then 'shop_shipments'
        else 'unmapped'
    end as warehouse_basis
from shop_skus
left join per_sku on shop_skus.shop_id = per_sku.shop_id and shop_skus.seller_sku = per_sku.seller_sku
left join per_shop on shop_skus.shop_id = per_shop.shop_id
