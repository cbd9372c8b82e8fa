{#- Settled money against GMV per shop and month, so "settled vs GMV" reconciles. Months are
    the shop-local month the ORDER was paid (order-date view): every transaction of an order
    (its settlement, refunds, late adjustments) lands in the month its order was paid, so a
    month's numbers keep moving until its orders are settled. A transaction whose order is
    not in fct_orders (paid before the loaded history) is dated by its statement's local
    month and counted in `transactions_without_order`.
    Reconciliation: gmv_paid_amount = gmv_settled_amount + gmv_unsettled_amount; settled
    revenue of an order = its GMV + the shipping fee the buyer paid − refunds (see the yml).
    TikTok's own list of unsettled orders (newest snapshot) gives, per month, how many of the
    month's paid orders TikTok still has to settle and what it estimates they will pay out. -#}

with orders as (
    select
        orders.order_id,
        orders.shop_id,
        cast({{ dbt.date_trunc('month', 'orders.paid_local_date') }} as date) as month_start,
        orders.gmv_amount,
        {{ in_reporting_currency('orders.gmv_amount', 'rates.units_per_eur', 'rates.reporting_units_per_eur', 'orders.currency') }} as gmv_amount_reporting
    from {{ ref('fct_orders') }} as orders
    left join {{ ref('fct_fx_rates_daily') }} as rates
        on orders.paid_local_date = rates.local_date and orders.currency = rates.currency
    where orders.counts_as_paid
),

transactions as (
    select
        *,
        cast({{ dbt.date_trunc('month', 'coalesce(order_paid_local_date, statement_local_date)') }} as date) as month_start
    from {{ ref('fct_settlements') }}
),

settled_orders as (
    select distinct order_id
    from transactions
    where transaction_type = 'ORDER'
),

paid as (
    select
        orders.shop_id,
        orders.month_start,
        count(*) as orders_paid,
        sum(orders.gmv_amount) as gmv_paid_amount,
        sum(orders.gmv_amount_reporting) as gmv_paid_amount_reporting,
        sum(case when settled_orders.order_id is not null then 1 else 0 end) as orders_settled,
        sum(case when settled_orders.order_id is not null then orders.gmv_amount else 0 end) as gmv_settled_amount
    from orders
    left join settled_orders on orders.order_id = settled_orders.order_id
    group by orders.shop_id, orders.month_start
),

settled as (
    select
        shop_id,
        month_start,
        count(*) as transactions,
        sum(case when order_paid_local_date is null then 1 else 0 end) as transactions_without_order,
        {% for amount in ['revenue', 'fee', 'shipping_cost', 'adjustment', 'settlement'] -%}
        sum({{ amount }}_amount) as {{ amount }}_amount,
        sum({{ amount }}_amount_reporting) as {{ amount }}_amount_reporting,
        {% endfor -%}
        sum(case when transaction_type = 'ORDER' then days_from_delivery_to_settlement end) as settlement_days_sum,
        sum(case when transaction_type = 'ORDER' and days_from_delivery_to_settlement is not null then 1 else 0 end) as settlement_days_orders
    from transactions
    group by shop_id, month_start
),

unsettled_per_tiktok as (
    select
        orders.shop_id,
        orders.month_start,
        count(*) as orders_unsettled_per_tiktok,
        sum(unsettled.estimated_settlement_amount) as estimated_unsettled_settlement_amount
    from {{ ref('stg_tiktok_shop__unsettled_orders') }} as unsettled
    inner join orders on unsettled.order_id = orders.order_id
    group by orders.shop_id, orders.month_start
),

shop_months as (
    select shop_id, month_start from paid
    union
    select shop_id, month_start from settled
),

final as (
    select
        shop_months.shop_id,
        shop_months.month_start,
        shops.market,
        shops.currency,
        '{{ var("reporting_currency") }}' as reporting_currency,
        cast(coalesce(paid.orders_paid, 0) as bigint) as orders_paid,
        cast(coalesce(paid.orders_settled, 0) as bigint) as orders_settled,
        {{ to_money('coalesce(paid.gmv_paid_amount, 0)') }} as gmv_paid_amount,
        {{ to_money('paid.gmv_paid_amount_reporting') }} as gmv_paid_amount_reporting,
        {{ to_money('coalesce(paid.gmv_settled_amount, 0)') }} as gmv_settled_amount,
        {{ to_money('coalesce(paid.gmv_paid_amount, 0) - coalesce(paid.gmv_settled_amount, 0)') }} as gmv_unsettled_amount,
        {{ settled_gmv_share('paid.gmv_settled_amount', 'paid.gmv_paid_amount') }} as settled_gmv_rate,
        cast(coalesce(unsettled_per_tiktok.orders_unsettled_per_tiktok, 0) as bigint) as orders_unsettled_per_tiktok,
        {{ to_money('coalesce(unsettled_per_tiktok.estimated_unsettled_settlement_amount, 0)') }} as estimated_unsettled_settlement_amount,
        cast(coalesce(settled.transactions, 0) as bigint) as transactions,
        cast(coalesce(settled.transactions_without_order, 0) as bigint) as transactions_without_order,
        {% for amount in ['revenue', 'fee', 'shipping_cost', 'adjustment', 'settlement'] -%}
        {{ to_money('coalesce(settled.' ~ amount ~ '_amount, 0)') }} as {{ amount }}_amount,
        {{ to_money('settled.' ~ amount ~ '_amount_reporting') }} as {{ amount }}_amount_reporting,
        {% endfor -%}
        {{ fee_rate('settled.fee_amount', 'settled.revenue_amount') }} as fee_rate,
        {{ avg_settlement_days('settled.settlement_days_sum', 'settled.settlement_days_orders') }} as avg_settlement_days
    from shop_months
    left join {{ ref('dim_shops') }} as shops on shop_months.shop_id = shops.shop_id
    left join paid on shop_months.shop_id = paid.shop_id and shop_months.month_start = paid.month_start
    left join settled on shop_months.shop_id = settled.shop_id and shop_months.month_start = settled.month_start
    left join unsettled_per_tiktok
        on shop_months.shop_id = unsettled_per_tiktok.shop_id
        and shop_months.month_start = unsettled_per_tiktok.month_start
)

select * from final
