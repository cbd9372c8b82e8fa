{#- One row per returned order line (one unit) of each return or refund request, with the
    product it is and its share of the refund: returns by product and SKU, which fct_returns
    (one row per request) cannot give. The request's state and days come from fct_returns,
    so "refunded" means the same in both. The lines' refund subtotals add up to their
    request's; shipping-fee refunds are per request and stay on fct_returns. -#}

with return_lines as (
    select * from {{ ref('stg_tiktok_shop__return_line_items') }}
),

returns as (
    select
        return_id, order_id, after_sales_stage, is_refunded, requested_local_date,
        refunded_local_date, order_paid_local_date
    from {{ ref('fct_returns') }}
),

order_lines as (
    select line_item_id, product_id from {{ ref('fct_order_lines') }}
),

final as (
    select
        return_lines.return_line_item_id,
        return_lines.return_id,
        returns.order_id,
        return_lines.shop_id,
        return_lines.line_item_id,
        order_lines.product_id,
        return_lines.sku_id,
        return_lines.seller_sku,
        returns.after_sales_stage,
        returns.is_refunded,
        returns.requested_local_date,
        returns.refunded_local_date,
        returns.order_paid_local_date,
        return_lines.currency,
        return_lines.refund_subtotal_amount,
        return_lines.refund_total_amount
    from return_lines
    inner join returns on return_lines.return_id = returns.return_id
    left join order_lines on return_lines.line_item_id = order_lines.line_item_id
)

select * from final
