{#- One row per TikTok Shop statement transaction (an order settling, a refund taken back, a
    late adjustment): its statement, the statement's UTC cut and shop-local day, the order's
    paid day, the days from delivery to settlement, and every amount in the settlement
    currency and in the reporting currency at the statement day's rate, and whether the payout
    of its statement has reached the seller's bank. -#}

with transactions as (
    select * from {{ ref('int_settlement_transactions') }}
),

final as (
    select
        transaction_id,
        statement_id,
        shop_id,
        transaction_type,
        order_id,
        statement_cut_at_utc,
        statement_date_utc,
        statement_local_date,
        order_paid_local_date,
        order_delivered_local_date,
        days_from_delivery_to_settlement,
        currency,
        revenue_amount,
        fee_amount,
        affiliate_commission_amount,
        shipping_cost_amount,
        adjustment_amount,
        settlement_amount,
        reporting_currency,
        revenue_amount_reporting,
        fee_amount_reporting,
        shipping_cost_amount_reporting,
        adjustment_amount_reporting,
        settlement_amount_reporting,
        adjustment_reason,
        payment_id,
        payout_status,
        paid_out_at_utc
    from transactions
)

select * from final
