{#- One row per cancellation of a paid order (TikTok's cancellations endpoint lists only those:
    an unpaid order has nothing to refund), in its current state: who asked and why, and
    when the money went back. Cancellation COUNTS come from the orders' own status
    (fct_orders, kpi_shop_daily); this adds the refund side an operations lead follows —
    refunds still owed, seller-initiated cancellations and their reasons. The refund is
    paid, and dated, by the after-sales status mapping, as for returns (macro
    after_sales_state_columns). -#}

with cancellations as (
    select * from {{ ref('stg_tiktok_shop__cancellations') }}
),

status_mapping as (
    select status, after_sales_stage, is_refunded, is_closed
    from {{ ref('after_sales_status_mapping') }}
),

shops as (
    select shop_id, time_zone from {{ ref('dim_shops') }}
),

final as (
    select
        cancellations.cancel_id,
        cancellations.order_id,
        cancellations.shop_id,
        cancellations.cancel_type,
        cancellations.cancel_status,
        {{ after_sales_state_columns('cancellations', 'status_mapping', 'shops.time_zone') }},
        cancellations.requested_by,
        cancellations.cancel_reason,
        cancellations.currency,
        cancellations.refund_total_amount,
        cast(cancellations.cancel_line_item_count as integer) as units_cancelled
    from cancellations
    inner join shops on cancellations.shop_id = shops.shop_id
    left join status_mapping on cancellations.cancel_status = status_mapping.status
)

select * from final
