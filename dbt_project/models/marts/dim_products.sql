{#- One row per TikTok product of the newest product version: its shop, title, listing status,
    when it was listed (created on TikTok, UTC and shop-local day) and last updated, and how
    many SKUs it has (the SKUs themselves are in dim_skus). -#}

with products as (
    select * from {{ ref('stg_tiktok_shop__products') }}
),

shops as (
    select shop_id, time_zone from {{ ref('dim_shops') }}
)

select
    products.product_id,
    products.shop_id,
    products.product_title,
    products.product_status,
    products.created_at_utc as listed_at_utc,
    {{ utc_to_local_date('products.created_at_utc', 'shops.time_zone') }} as listed_local_date,
    products.updated_at_utc,
    cast(products.sku_count as integer) as skus
from products
left join shops on products.shop_id = shops.shop_id
