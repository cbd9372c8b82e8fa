{#- One row per TikTok Shop order in its current state, with the sales bases it counts on and
    its shop-local dates. Buyer PII is not here: only the one-way `buyer_key`. -#}

with orders as (
    select * from {{ ref('int_orders_with_sales_basis') }}
),

final as (
    select
        order_id,
        shop_id,
        market,
        currency,
        order_status,
        sale_stage,
        counts_as_paid,
        counts_as_delivered,
        counts_as_completed,
        is_cancelled,
        created_at_utc,
        paid_at_utc,
        delivered_at_utc,
        completed_at_utc,
        tiktok_delivered_at_utc,
        erp_signed_for_at_utc,
        cancelled_at_utc,
        updated_at_utc,
        created_local_date,
        paid_local_date,
        delivered_local_date,
        completed_local_date,
        cancelled_local_date,
        gmv as gmv_amount,
        product_subtotal_amount,
        platform_discount_amount,
        seller_discount_amount,
        shipping_fee_amount,
        tax_amount,
        total_amount,
        units,
        buyer_key,
        cancellation_initiator
    from orders
)

select * from final
