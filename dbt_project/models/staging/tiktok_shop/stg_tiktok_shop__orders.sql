{#- One row per order, typed: money as decimals, times as UTC timestamps. Buyer PII stops
    here: email, names, phone and address are dropped, and the platform user id survives only
    as a one-way `buyer_key` for counting distinct and repeat buyers. A table, not a view: the
    keyed hash is a function only dbt's own connection has (macro `buyer_key`). -#}
{{ config(materialized='table') }}

with latest_orders as (
    select * from {{ ref('base_tiktok_shop__orders') }}
),

typed as (
    select
        order_id,
        shop_id,
        {{ json_text('order_json', '$.status') }} as order_status,
        {{ epoch_seconds_to_utc(json_text('order_json', '$.create_time')) }} as created_at_utc,
        {{ epoch_seconds_to_utc(json_text('order_json', '$.update_time')) }} as updated_at_utc,
        {{ epoch_seconds_to_utc(json_text('order_json', '$.paid_time')) }} as paid_at_utc,
        {{ epoch_seconds_to_utc(json_text('order_json', '$.rts_time')) }} as ready_to_ship_at_utc,
        {{ epoch_seconds_to_utc(json_text('order_json', '$.collection_time')) }} as collected_at_utc,
        {{ epoch_seconds_to_utc(json_text('order_json', '$.delivery_time')) }} as delivered_at_utc,
        {{ epoch_seconds_to_utc(json_text('order_json', '$.cancel_time')) }} as cancelled_at_utc,
        {{ json_text('order_json', '$.cancel_reason') }} as cancel_reason,
        {{ json_text('order_json', '$.cancellation_initiator') }} as cancellation_initiator,
        {{ json_text('order_json', '$.payment.currency') }} as currency,
        {{ to_money(json_text('order_json', '$.payment.original_total_product_price')) }} as original_product_amount,
        {{ to_money(json_text('order_json', '$.payment.seller_discount')) }} as seller_discount_amount,
        {{ to_money(json_text('order_json', '$.payment.platform_discount')) }} as platform_discount_amount,
        {{ to_money(json_text('order_json', '$.payment.sub_total')) }} as product_subtotal_amount,
        {{ to_money(json_text('order_json', '$.payment.shipping_fee')) }} as shipping_fee_amount,
        {{ to_money(json_text('order_json', '$.payment.tax')) }} as tax_amount,
        {{ to_money(json_text('order_json', '$.payment.total_amount')) }} as total_amount,
        {{ json_array_length('order_json', '$.line_items') }} as line_item_count,
        {{ json_text('order_json', '$.fulfillment_type') }} as fulfillment_type,
        {{ json_text('order_json', '$.shipping_provider') }} as shipping_provider,
        {{ json_text('order_json', '$.warehouse_id') }} as warehouse_id,
        {{ json_text('order_json', '$.payment_method_name') }} as payment_method_name,
        {{ buyer_key(json_text('order_json', '$.user_id')) }} as buyer_key,
        fetched_at as loaded_at_utc,
        request_id as loaded_from_request_id
    from latest_orders
)

select * from typed
