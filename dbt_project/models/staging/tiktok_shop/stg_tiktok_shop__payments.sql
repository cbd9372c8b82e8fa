{#- One row per payout (newest fetch: status moves PROCESSING → PAID), typed. The bank
    account arrives masked and is kept as sent. -#}

with latest_payments as (
    {{ latest_raw_api_records(source('tiktok_shop_finance', 'payments'), '$.data.payments', '$.id', 'payment_id', 'payment_json') }}
),

typed as (
    select
        payment_id,
        shop_id,
        {{ epoch_seconds_to_utc(json_text('payment_json', '$.create_time')) }} as created_at_utc,
        {{ epoch_seconds_to_utc(json_text('payment_json', '$.paid_time')) }} as paid_at_utc,
        {{ json_text('payment_json', '$.status') }} as payment_status,
        {{ json_text('payment_json', '$.amount.currency') }} as currency,
        {{ to_money(json_text('payment_json', '$.amount.value')) }} as payment_amount,
        {{ to_money(json_text('payment_json', '$.settlement_amount.value')) }} as settlement_amount,
        {{ to_money(json_text('payment_json', '$.reserve_amount.value')) }} as reserve_amount,
        {{ json_text('payment_json', '$.bank_account') }} as masked_bank_account,
        fetched_at as loaded_at_utc,
        request_id as loaded_from_request_id
    from latest_payments
)

select * from typed
