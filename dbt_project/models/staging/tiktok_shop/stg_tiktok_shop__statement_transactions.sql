{#- One row per statement transaction (an order settling, a refund taken back, a late
    adjustment), typed. The statement id comes from the page (`data.statement_id`) or,
    where an API version leaves it out, from the request path. An adjustment may have no
    order (a shop-level charge); `affiliate_commission_amount` is the creators' part of
    `fee_amount`, null where TikTok does not break the fee out. -#}

with raw_pages as (
    select
        shop_id,
        request_id,
        fetched_at,
        body,
        coalesce(
            {{ json_text('body', '$.data.statement_id') }},
            {{ dbt.split_part('endpoint', "'/'", 5) }}
        ) as statement_id
    from {{ source('tiktok_shop_finance', 'statement_transactions') }}
),

transaction_versions as (
    {{ json_array_rows('raw_pages', 'body', '$.data.statement_transactions', 'transaction_json',
                       ['shop_id', 'request_id', 'fetched_at', 'statement_id']) }}
),

keyed as (
    select
        {{ json_text('transaction_json', '$.id') }} as transaction_id,
        statement_id,
        shop_id,
        fetched_at,
        request_id,
        transaction_json
    from transaction_versions
),

latest as (
    {{ latest_row_per_key('keyed', ['transaction_id'], 'fetched_at desc',
        ['transaction_id', 'statement_id', 'shop_id', 'fetched_at', 'request_id', 'transaction_json']) }}
),

typed as (
    select
        transaction_id,
        statement_id,
        shop_id,
        {{ json_text('transaction_json', '$.type') }} as transaction_type,
        {{ json_text('transaction_json', '$.order_id') }} as order_id,
        {{ epoch_seconds_to_utc(json_text('transaction_json', '$.order_create_time')) }} as order_created_at_utc,
        {{ json_text('transaction_json', '$.currency') }} as currency,
        {{ to_money(json_text('transaction_json', '$.revenue_amount')) }} as revenue_amount,
        {{ to_money(json_text('transaction_json', '$.fee_amount')) }} as fee_amount,
        {{ to_money(json_text('transaction_json', '$.affiliate_commission_amount')) }} as affiliate_commission_amount,
        {{ to_money(json_text('transaction_json', '$.shipping_cost_amount')) }} as shipping_cost_amount,
        {{ to_money(json_text('transaction_json', '$.adjustment_amount')) }} as adjustment_amount,
        {{ to_money(json_text('transaction_json', '$.settlement_amount')) }} as settlement_amount,
        {{ json_text('transaction_json', '$.adjustment_reason') }} as adjustment_reason,
        fetched_at as loaded_at_utc,
        request_id as loaded_from_request_id
    from latest
)

select * from typed
