{#- Every statement transaction with its statement's dates (UTC cut and shop-local), its
    order's paid and delivered days, and each amount also in the reporting currency at the
    rate of the statement's UTC cut date (fct_fx_rates_daily, carried forward on days
    without a published rate), and the payout that pays its statement: its status as the
    payouts endpoint last showed it (fresher than the statement's copy) and when it was paid. -#}

with transactions as (
    select * from {{ ref('stg_tiktok_shop__statement_transactions') }}
),

statements as (
    select
        statement_id, statement_cut_at_utc, statement_date_utc, currency as statement_currency,
        payment_id, payment_status as statement_payment_status
    from {{ ref('stg_tiktok_shop__statements') }}
),

payments as (
    select payment_id, payment_status, paid_at_utc from {{ ref('stg_tiktok_shop__payments') }}
),

shops as (
    select shops.shop_id, markets.currency as shop_currency, markets.time_zone
    from {{ ref('stg_tiktok_shop__shops') }} as shops
    inner join {{ ref('markets') }} as markets on shops.market = markets.market
),

orders as (
    select order_id, paid_local_date, delivered_local_date from {{ ref('int_orders_with_sales_basis') }}
),

rates as (
    select local_date as rate_day, currency, reporting_currency, units_per_eur, reporting_units_per_eur, reporting_per_unit
    from {{ ref('fct_fx_rates_daily') }}
),

joined as (
    select
        transactions.transaction_id,
        transactions.statement_id,
        transactions.shop_id,
        transactions.transaction_type,
        transactions.order_id,
        statements.statement_cut_at_utc,
        statements.statement_date_utc,
        {{ utc_to_local_date('statements.statement_cut_at_utc', 'shops.time_zone') }} as statement_local_date,
        orders.paid_local_date as order_paid_local_date,
        orders.delivered_local_date as order_delivered_local_date,
        coalesce(transactions.currency, statements.statement_currency, shops.shop_currency) as currency,
        transactions.revenue_amount,
        transactions.fee_amount,
        transactions.affiliate_commission_amount,
        transactions.shipping_cost_amount,
        transactions.adjustment_amount,
        transactions.settlement_amount,
        transactions.adjustment_reason,
        statements.payment_id,
        coalesce(payments.payment_status, statements.statement_payment_status) as payout_status,
        payments.paid_at_utc as paid_out_at_utc
    from transactions
    left join statements on transactions.statement_id = statements.statement_id
    left join payments on statements.payment_id = payments.payment_id
    left join shops on transactions.shop_id = shops.shop_id
    left join orders on transactions.order_id = orders.order_id
),

final as (
    select
        joined.*,
        {{ days_to_settle('joined.order_delivered_local_date', 'joined.statement_local_date') }} as days_from_delivery_to_settlement,
        '{{ var("reporting_currency") }}' as reporting_currency,
        rates.reporting_per_unit,
        {% for amount in ['revenue', 'fee', 'shipping_cost', 'adjustment', 'settlement'] -%}
        {{ in_reporting_currency('joined.' ~ amount ~ '_amount', 'rates.units_per_eur', 'rates.reporting_units_per_eur', 'joined.currency') }} as {{ amount }}_amount_reporting{{ ',' if not loop.last }}
        {% endfor %}
    from joined
    left join rates
        on joined.statement_date_utc = rates.rate_day and joined.currency = rates.currency
)

select * from final
