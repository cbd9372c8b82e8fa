{#- One row per shop × buyer (the one-way `buyer_key`): the buyer's first order on the paid basis
    in that shop (earliest payment, then order id), its shop-local day and cohort month, and the
    channel that acquired the buyer as far as the data knows: an affiliate order names its creator
    and content (channel `affiliate`); any other order is `organic_unknown` (the order API does
    not say whether an order came through ads, the shop's own content or search). Every buyer
    of the loaded history, those first seen before its first day included (an older order that
    changed inside it), so their later orders are repeats; kpi_customers gives cohort rows only
    to whole loaded months. A buyer whose earlier orders never landed counts as new on the
    first order seen. -#}

with paid_orders as (
    select order_id, shop_id, buyer_key, currency, paid_at_utc, paid_local_date, gmv_amount as gmv
    from {{ ref('fct_orders') }}
    where counts_as_paid and buyer_key is not null
),

first_orders as (
    {{ latest_row_per_key('paid_orders', ['shop_id', 'buyer_key'], 'paid_at_utc asc, order_id asc',
        ['order_id', 'shop_id', 'buyer_key', 'currency', 'paid_at_utc', 'paid_local_date', 'gmv']) }}
),

affiliate_orders as (
    select order_id, creator_id, content_type, content_id, commission_amount
    from {{ ref('stg_tiktok_shop__affiliate_orders') }}
),

final as (
    select
        first_orders.shop_id,
        first_orders.buyer_key,
        first_orders.order_id as first_order_id,
        first_orders.paid_at_utc as first_paid_at_utc,
        first_orders.paid_local_date as first_paid_local_date,
        cast({{ dbt.date_trunc('month', 'first_orders.paid_local_date') }} as date) as cohort_month,
        case when affiliate_orders.order_id is not null then 'affiliate' else 'organic_unknown' end
            as acquisition_channel,
        affiliate_orders.creator_id as acquisition_creator_key,
        affiliate_orders.content_type as acquisition_content_type,
        affiliate_orders.content_id as acquisition_content_id,
        first_orders.currency,
        first_orders.gmv as first_order_gmv,
        {{ to_money('coalesce(affiliate_orders.commission_amount, 0)') }} as first_order_commission_amount
    from first_orders
    left join affiliate_orders on first_orders.order_id = affiliate_orders.order_id
)

select * from final
