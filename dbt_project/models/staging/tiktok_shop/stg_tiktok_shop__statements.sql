{#- One row per daily settlement statement (newest fetch: only its payment status changes
    after the cut), typed: amounts as decimals in the settlement currency. -#}

with latest_statements as (
    {{ latest_raw_api_records(source('tiktok_shop_finance', 'statements'), '$.data.statements', '$.id', 'statement_id', 'statement_json') }}
),

typed as (
    select
        statement_id,
        shop_id,
        {{ epoch_seconds_to_utc(json_text('statement_json', '$.statement_time')) }} as statement_cut_at_utc,
        cast({{ epoch_seconds_to_utc(json_text('statement_json', '$.statement_time')) }} as date) as statement_date_utc,
        {{ json_text('statement_json', '$.currency') }} as currency,
        {{ to_money(json_text('statement_json', '$.revenue_amount')) }} as revenue_amount,
        {{ to_money(json_text('statement_json', '$.fee_amount')) }} as fee_amount,
        {{ to_money(json_text('statement_json', '$.shipping_cost_amount')) }} as shipping_cost_amount,
        {{ to_money(json_text('statement_json', '$.adjustment_amount')) }} as adjustment_amount,
        {{ to_money(json_text('statement_json', '$.settlement_amount')) }} as settlement_amount,
        {{ json_text('statement_json', '$.payment_status') }} as payment_status,
        {{ json_text('statement_json', '$.payment_id') }} as payment_id,
        fetched_at as loaded_at_utc,
        request_id as loaded_from_request_id
    from latest_statements
)

select * from typed
