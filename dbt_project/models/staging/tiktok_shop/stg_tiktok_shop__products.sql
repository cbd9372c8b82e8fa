{#- One row per product (newest version). -#}

with latest_products as (
    select * from {{ ref('base_tiktok_shop__products') }}
)

select
    product_id,
    shop_id,
    {{ json_text('product_json', '$.title') }} as product_title,
    {{ json_text('product_json', '$.status') }} as product_status,
    {{ epoch_seconds_to_utc(json_text('product_json', '$.create_time')) }} as created_at_utc,
    {{ epoch_seconds_to_utc(json_text('product_json', '$.update_time')) }} as updated_at_utc,
    {{ json_array_length('product_json', '$.skus') }} as sku_count,
    fetched_at as loaded_at_utc
from latest_products
