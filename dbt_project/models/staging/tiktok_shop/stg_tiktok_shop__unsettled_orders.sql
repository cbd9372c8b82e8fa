{#- The orders not yet settled according to the newest snapshot only (an order leaves the
    list when it settles, so older snapshots are history, not state), with TikTok's estimates. -#}

with raw_pages as (
    select shop_id, request_id, fetched_at, filename, body
    from {{ source('tiktok_shop_finance', 'unsettled_orders') }}
),

newest_snapshot as (
    select * from raw_pages
    where filename = (select max(filename) from raw_pages)
),

rows_from_either_key as (
    {{ json_array_rows('newest_snapshot', 'body', '$.data.transactions', 'unsettled_json',
                       ['shop_id', 'request_id', 'fetched_at']) }}
    union all
    {{ json_array_rows('newest_snapshot', 'body', '$.data.orders', 'unsettled_json',
                       ['shop_id', 'request_id', 'fetched_at']) }}
),

typed as (
    select
        {{ json_text('unsettled_json', '$.order_id') }} as order_id,
        shop_id,
        {{ epoch_seconds_to_utc(json_text('unsettled_json', '$.order_create_time')) }} as order_created_at_utc,
        {{ json_text('unsettled_json', '$.currency') }} as currency,
        {{ to_money(json_text('unsettled_json', '$.est_revenue_amount')) }} as estimated_revenue_amount,
        {{ to_money(json_text('unsettled_json', '$.est_fee_amount')) }} as estimated_fee_amount,
        {{ to_money(json_text('unsettled_json', '$.est_shipping_cost_amount')) }} as estimated_shipping_cost_amount,
        {{ to_money(json_text('unsettled_json', '$.est_settlement_amount')) }} as estimated_settlement_amount,
        {{ json_text('unsettled_json', '$.unsettled_reason') }} as unsettled_reason,
        fetched_at as snapshot_at_utc,
        request_id as loaded_from_request_id
    from rows_from_either_key
)

select * from typed
