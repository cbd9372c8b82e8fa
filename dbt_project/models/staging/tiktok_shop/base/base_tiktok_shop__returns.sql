{#- The newest landed version of every return or refund request, still as raw JSON.
    A table because both return staging models parse it. -#}
{{ config(materialized='table') }}

{{ latest_raw_api_records(source('tiktok_shop', 'returns'), '$.data.return_orders', '$.return_id', 'return_id', 'return_json') }}
