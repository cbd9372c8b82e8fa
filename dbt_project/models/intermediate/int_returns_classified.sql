{#- Every return or refund request classified once: whether the refund has been paid (from
    the `after_sales_status_mapping` seed, by macro after_sales_state_columns, shared with
    fct_cancellations), when, and on which shop-local days — the request's, the refund's and
    its order's payment day — so refunds can be dated either by refund date or by order date
    without any other model deciding what "refunded" means. -#}

with returns as (
    select * from {{ ref('stg_tiktok_shop__returns') }}
),

status_mapping as (
    select status, after_sales_stage, is_refunded, is_closed
    from {{ ref('after_sales_status_mapping') }}
),

orders as (
    select order_id, paid_local_date, created_local_date
    from {{ ref('int_orders_with_sales_basis') }}
),

shops as (
    select shops.shop_id, markets.time_zone
    from {{ ref('stg_tiktok_shop__shops') }} as shops
    inner join {{ ref('markets') }} as markets on shops.market = markets.market
),

classified as (
    select
        returns.return_id,
        returns.order_id,
        returns.shop_id,
        returns.return_type,
        returns.return_status,
        returns.requested_by,
        returns.return_reason,
        returns.updated_at_utc,
        {{ after_sales_state_columns('returns', 'status_mapping', 'shops.time_zone') }},
        orders.created_local_date as order_created_local_date,
        orders.paid_local_date as order_paid_local_date,
        returns.currency,
        returns.refund_subtotal_amount,
        returns.refund_shipping_fee_amount,
        returns.refund_tax_amount,
        returns.refund_total_amount,
        returns.return_line_item_count
    from returns
    inner join shops on returns.shop_id = shops.shop_id
    left join status_mapping on returns.return_status = status_mapping.status
    left join orders on returns.order_id = orders.order_id
)

select * from classified
