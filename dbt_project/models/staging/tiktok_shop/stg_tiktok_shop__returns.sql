{#- One row per return or refund request (newest version), typed. `update_time` of a request
    in a final status is when it reached that status: for RETURN_OR_REFUND_REQUEST_COMPLETE,
    when the money went back to the buyer. -#}

with latest_returns as (
    select * from {{ ref('base_tiktok_shop__returns') }}
),

typed as (
    select
        return_id,
        {{ json_text('return_json', '$.order_id') }} as order_id,
        shop_id,
        {{ json_text('return_json', '$.return_type') }} as return_type,
        {{ json_text('return_json', '$.return_status') }} as return_status,
        {{ json_text('return_json', '$.role') }} as requested_by,
        {{ json_text('return_json', '$.return_reason') }} as return_reason,
        {{ epoch_seconds_to_utc(json_text('return_json', '$.create_time')) }} as requested_at_utc,
        {{ epoch_seconds_to_utc(json_text('return_json', '$.update_time')) }} as updated_at_utc,
        {{ json_text('return_json', '$.refund_amount.currency') }} as currency,
        {{ to_money(json_text('return_json', '$.refund_amount.refund_subtotal')) }} as refund_subtotal_amount,
        {{ to_money(json_text('return_json', '$.refund_amount.refund_shipping_fee')) }} as refund_shipping_fee_amount,
        {{ to_money(json_text('return_json', '$.refund_amount.refund_tax')) }} as refund_tax_amount,
        {{ to_money(json_text('return_json', '$.refund_amount.refund_total')) }} as refund_total_amount,
        {{ json_array_length('return_json', '$.return_line_items') }} as return_line_item_count,
        fetched_at as loaded_at_utc,
        request_id as loaded_from_request_id
    from latest_returns
)

select * from typed
