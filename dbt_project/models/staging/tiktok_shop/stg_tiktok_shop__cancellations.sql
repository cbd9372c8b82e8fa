{#- One row per cancellation (newest version), typed. Only cancellations that refund a paid
    order reach this endpoint; the order's own status and cancel time stay the source for
    cancellation counts. -#}

with latest_cancellations as (
    {{ latest_raw_api_records(source('tiktok_shop', 'cancellations'), '$.data.cancellations', '$.cancel_id', 'cancel_id', 'cancel_json') }}
),

typed as (
    select
        cancel_id,
        {{ json_text('cancel_json', '$.order_id') }} as order_id,
        shop_id,
        {{ json_text('cancel_json', '$.cancel_type') }} as cancel_type,
        {{ json_text('cancel_json', '$.cancel_status') }} as cancel_status,
        {{ json_text('cancel_json', '$.role') }} as requested_by,
        {{ json_text('cancel_json', '$.cancel_reason') }} as cancel_reason,
        {{ epoch_seconds_to_utc(json_text('cancel_json', '$.create_time')) }} as requested_at_utc,
        {{ epoch_seconds_to_utc(json_text('cancel_json', '$.update_time')) }} as updated_at_utc,
        {{ json_text('cancel_json', '$.refund_amount.currency') }} as currency,
        {{ to_money(json_text('cancel_json', '$.refund_amount.refund_total')) }} as refund_total_amount,
        {{ json_array_length('cancel_json', '$.cancel_line_items') }} as cancel_line_item_count,
        fetched_at as loaded_at_utc,
        request_id as loaded_from_request_id
    from latest_cancellations
)

select * from typed
