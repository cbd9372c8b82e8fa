{#- One row per TikTok Shop order line (newest order version): the SKU and product sold, its
    prices and discounts, the gift flag and the line's GMV by the one GMV definition
    (macro order_gmv: sale price + platform discount = original price − seller discount), so
    an order's lines add up to its fct_orders.gmv_amount plus its order-level seller voucher (the
    payment's seller discount beyond its lines': a voucher belongs to no line). The order's sales-basis flags and
    shop-local dates come from fct_orders; no buyer fields. One line is one unit (TikTok has
    no quantity field). Reporting-currency GMV uses the rate of the order's shop-local paid
    day, or of its creation day while unpaid (last known rate carried forward). -#}

with lines as (
    select * from {{ ref('stg_tiktok_shop__order_line_items') }}
),

orders as (
    select
        order_id,
        market,
        currency,
        order_status,
        counts_as_paid,
        counts_as_delivered,
        counts_as_completed,
        is_cancelled,
        created_local_date,
        paid_local_date
    from {{ ref('fct_orders') }}
),

fx as (
    select local_date as rate_day, currency, reporting_currency, units_per_eur, reporting_units_per_eur, reporting_per_unit
    from {{ ref('fct_fx_rates_daily') }}
),

joined as (
    select
        lines.line_item_id,
        lines.order_id,
        lines.shop_id,
        orders.market,
        lines.sku_id,
        lines.product_id,
        lines.product_name,
        lines.seller_sku,
        coalesce(lines.currency, orders.currency) as currency,
        lines.is_gift,
        lines.display_status,
        orders.order_status,
        orders.counts_as_paid,
        orders.counts_as_delivered,
        orders.counts_as_completed,
        orders.is_cancelled,
        orders.created_local_date,
        orders.paid_local_date,
        lines.original_price_amount,
        lines.seller_discount_amount,
        lines.platform_discount_amount,
        lines.sale_price_amount,
        {{ to_money(order_gmv('lines.sale_price_amount', 'lines.platform_discount_amount')) }} as line_gmv_amount,
        coalesce(orders.paid_local_date, orders.created_local_date) as rate_day
    from lines
    left join orders on lines.order_id = orders.order_id
),

final as (
    select
        joined.line_item_id,
        joined.order_id,
        joined.shop_id,
        joined.market,
        joined.sku_id,
        joined.product_id,
        joined.product_name,
        joined.seller_sku,
        joined.is_gift,
        joined.display_status,
        joined.order_status,
        joined.counts_as_paid,
        joined.counts_as_delivered,
        joined.counts_as_completed,
        joined.is_cancelled,
        joined.created_local_date,
        joined.paid_local_date,
        joined.currency,
        joined.original_price_amount,
        joined.seller_discount_amount,
        joined.platform_discount_amount,
        joined.sale_price_amount,
        joined.line_gmv_amount,
        '{{ var("reporting_currency") }}' as reporting_currency,
        {{ in_reporting_currency('joined.line_gmv_amount', 'fx.units_per_eur', 'fx.reporting_units_per_eur', 'joined.currency') }}
            as line_gmv_amount_reporting
    from joined
    left join fx on joined.currency = fx.currency and joined.rate_day = fx.rate_day
)

select * from final
