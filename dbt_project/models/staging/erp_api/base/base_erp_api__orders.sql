{#- The newest landed version of every ERP order, still as the raw JSON object: update days
    overlap (one hour of look-back) and reruns re-land pages, so newest `update_time` wins,
    ties go to the later fetch. A table because both ERP order staging models parse it. -#}
{{ config(materialized='table') }}

{{ latest_raw_api_records(source('erp_api', 'orders'), '$.data.list', '$.global_order_no', 'erp_order_no', 'order_json') }}
