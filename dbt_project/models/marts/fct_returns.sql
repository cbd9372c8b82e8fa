{#- One row per return or refund request in its current state, with the shop-local days it
    can be dated by: request, refund (null until the money went back) and the order's payment.
    Refund amounts are in the order's currency. -#}

with returns as (
    select * from {{ ref('int_returns_classified') }}
),

final as (
    select
        return_id,
        order_id,
        shop_id,
        return_type,
        return_status,
        after_sales_stage,
        is_refunded,
        is_closed,
        requested_by,
        return_reason,
        requested_at_utc,
        refunded_at_utc,
        requested_local_date,
        refunded_local_date,
        order_created_local_date,
        order_paid_local_date,
        currency,
        refund_subtotal_amount,
        refund_shipping_fee_amount,
        refund_tax_amount,
        refund_total_amount,
        cast(return_line_item_count as integer) as units_returned
    from returns
)

select * from final
