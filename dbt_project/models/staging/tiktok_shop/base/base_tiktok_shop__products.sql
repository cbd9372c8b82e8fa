{#- The newest landed version of every product, still as raw JSON. A table because both
    product staging models parse it. -#}
{{ config(materialized='table') }}

{{ latest_raw_api_records(source('tiktok_shop', 'products'), '$.data.products', '$.id', 'product_id', 'product_json') }}
