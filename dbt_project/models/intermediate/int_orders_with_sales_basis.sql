{#- Every order classified once: which sales basis it counts on, on which shop-local day, and
    for how much GMV. The status flags come from the `order_status_mapping` seed and GMV from
    the `order_gmv` macro, so no other model decides what a sale is. -#}

with orders as (
    select * from {{ ref('stg_tiktok_shop__orders') }}
),

shops as (
    select shop_id, market from {{ ref('stg_tiktok_shop__shops') }}
),

markets as (
    select market, currency as market_currency, time_zone from {{ ref('markets') }}
),

status_mapping as (
    select * from {{ ref('order_status_mapping') }}
),

units_per_order as (
    select order_id, count(*) as units
    from {{ ref('stg_tiktok_shop__order_line_items') }}
    where not is_gift
    group by order_id
),

classified as (
    select
        orders.order_id,
        orders.shop_id,
        shops.market,
        markets.time_zone,
        coalesce(orders.currency, markets.market_currency) as currency,
        orders.order_status,
        status_mapping.sale_stage,
        coalesce(status_mapping.is_paid, false) and orders.paid_at_utc is not null as counts_as_paid,
        coalesce(status_mapping.is_delivered, false) and orders.delivered_at_utc is not null as counts_as_delivered,
        coalesce(status_mapping.is_cancelled, false) as is_cancelled,
        orders.created_at_utc,
        orders.paid_at_utc,
        orders.delivered_at_utc,
        orders.cancelled_at_utc,
        orders.updated_at_utc,
        {{ utc_to_local_date('orders.created_at_utc', 'markets.time_zone') }} as created_local_date,
        {{ utc_to_local_date('orders.paid_at_utc', 'markets.time_zone') }} as paid_local_date,
        {{ utc_to_local_date('orders.delivered_at_utc', 'markets.time_zone') }} as delivered_local_date,
        {{ utc_to_local_date('orders.cancelled_at_utc', 'markets.time_zone') }} as cancelled_local_date,
        {{ to_money(order_gmv('orders.product_subtotal_amount', 'orders.platform_discount_amount')) }} as gmv,
        orders.product_subtotal_amount,
        orders.platform_discount_amount,
        orders.seller_discount_amount,
        orders.shipping_fee_amount,
        orders.tax_amount,
        orders.total_amount,
        cast(coalesce(units_per_order.units, 0) as integer) as units,
        orders.buyer_key,
        orders.cancellation_initiator,
        orders.loaded_at_utc
    from orders
    left join shops on orders.shop_id = shops.shop_id
    left join markets on shops.market = markets.market
    left join status_mapping on orders.order_status = status_mapping.order_status
    left join units_per_order on orders.order_id = units_per_order.order_id
)

select * from classified
