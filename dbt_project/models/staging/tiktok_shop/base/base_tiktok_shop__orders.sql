{#- The newest landed version of every order, still as the raw JSON object. Partitions
    overlap in content (an order appears in every update-time day it changed on) and reruns
    re-land pages, so this is where duplicates end: newest update_time wins, ties go to the
    later fetch. Materialized as a table because both order staging models parse it. -#}
{{ config(materialized='table') }}

with raw_pages as (
    select shop_id, partition_key, request_id, fetched_at, body
    from {{ source('tiktok_shop', 'orders') }}
),

order_versions as (
    {{ json_array_rows('raw_pages', 'body', '$.data.orders', 'order_json',
                       ['shop_id', 'partition_key', 'request_id', 'fetched_at']) }}
),

keyed_versions as (
    select
        {{ json_text('order_json', '$.id') }} as order_id,
        shop_id,
        cast({{ json_text('order_json', '$.update_time') }} as bigint) as update_time,
        fetched_at,
        request_id,
        partition_key,
        order_json
    from order_versions
),

latest_versions as (
    {{ latest_row_per_key(
        'keyed_versions', ['order_id'], 'update_time desc, fetched_at desc',
        ['order_id', 'shop_id', 'update_time', 'fetched_at', 'request_id', 'partition_key', 'order_json']) }}
)

select * from latest_versions
