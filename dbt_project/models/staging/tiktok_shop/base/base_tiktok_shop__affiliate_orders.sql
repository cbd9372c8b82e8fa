{#- The newest landed version of every affiliate order, still as raw JSON. A table because
    both affiliate staging models (orders, creators) parse it. -#}
{{ config(materialized='table') }}

{{ latest_raw_api_records(source('tiktok_shop_content', 'affiliate_orders'), '$.data.orders', '$.id', 'order_id', 'affiliate_order_json') }}
