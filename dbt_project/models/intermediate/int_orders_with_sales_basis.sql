{#- Every order classified once: which sales basis it counts on, on which shop-local day, and
    for how much GMV. The status flags come from the `order_status_mapping` seed, GMV from
    the `order_gmv` macro, the delivery source and the return window from the
    `delivered_at` / `completed_at` macros, so no other model decides what a sale is.
    - paid: payment succeeded and the order was not cancelled (cancellation happens before
      shipment), dated by payment;
    - delivered: by TikTok's delivery time or the ERP's sign-for time (var `delivered_source`);
    - completed: delivered and past the return window (var `return_window_days`) by the
      newest change landed, dated by the end of the window.
    An order in a status the seed does not name (the API adds statuses) is not dropped and
    stops nothing: it is staged 'unknown', counts as paid only once mapped, and is counted by
    kpi_shop_daily.orders_placed_in_unknown_status and a warning check on its status. -#}

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

erp_sign_for as (
    -- The ERP file drops are the channel that carries 签收时间; a split order is signed for
    -- when its last package is.
    select order_id, max(signed_for_at_utc) as erp_signed_for_at_utc
    from {{ ref('stg_erp__fulfilment_lines') }}
    group by order_id
),

data_watermark as (
    select max(updated_at_utc) as newest_update_utc
    from orders
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
        -- A status the mapping does not name yet is kept, staged 'unknown' and counted on no
        -- basis that needs the mapping (paid), until order_status_mapping.csv names it.
        coalesce(status_mapping.sale_stage, 'unknown') as sale_stage,
        coalesce(status_mapping.is_paid, false) and orders.paid_at_utc is not null as counts_as_paid,
        not coalesce(status_mapping.is_cancelled, false)
            and {{ delivered_at('orders.delivered_at_utc', 'erp_sign_for.erp_signed_for_at_utc') }} is not null
            as counts_as_delivered,
        not coalesce(status_mapping.is_cancelled, false)
            and {{ completed_at(delivered_at('orders.delivered_at_utc', 'erp_sign_for.erp_signed_for_at_utc'), 'data_watermark.newest_update_utc') }} is not null
            as counts_as_completed,
        coalesce(status_mapping.is_cancelled, false) as is_cancelled,
        orders.created_at_utc,
        orders.paid_at_utc,
        {{ delivered_at('orders.delivered_at_utc', 'erp_sign_for.erp_signed_for_at_utc') }} as delivered_at_utc,
        {{ completed_at(delivered_at('orders.delivered_at_utc', 'erp_sign_for.erp_signed_for_at_utc'), 'data_watermark.newest_update_utc') }} as completed_at_utc,
        orders.delivered_at_utc as tiktok_delivered_at_utc,
        erp_sign_for.erp_signed_for_at_utc,
        orders.cancelled_at_utc,
        orders.updated_at_utc,
        {{ utc_to_local_date('orders.created_at_utc', 'markets.time_zone') }} as created_local_date,
        {{ utc_to_local_date('orders.paid_at_utc', 'markets.time_zone') }} as paid_local_date,
        {{ utc_to_local_date(delivered_at('orders.delivered_at_utc', 'erp_sign_for.erp_signed_for_at_utc'), 'markets.time_zone') }} as delivered_local_date,
        {{ utc_to_local_date(completed_at(delivered_at('orders.delivered_at_utc', 'erp_sign_for.erp_signed_for_at_utc'), 'data_watermark.newest_update_utc'), 'markets.time_zone') }} as completed_local_date,
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
    left join erp_sign_for on orders.order_id = erp_sign_for.order_id
    cross join data_watermark
)

select * from classified
