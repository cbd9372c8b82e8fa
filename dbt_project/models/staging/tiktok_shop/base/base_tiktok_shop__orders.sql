{#- The newest landed version of every order, still as the raw JSON object (see the macro
    for how versions are chosen). Materialized as a table because both order staging models
    parse it. -#}
{{ config(materialized='table') }}

{{ latest_raw_api_records(source('tiktok_shop', 'orders'), '$.data.orders', '$.id', 'order_id', 'order_json') }}
