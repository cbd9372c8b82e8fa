{#- Headline sales KPIs per shop and shop-local day, on each sales basis side by side.
    A sale is dated by its own event: paid orders on the day of payment, delivered orders on
    the day of delivery, cancellations on the day of cancellation. Every shop has a row for
    every day from its first order to the shop-local date of the newest change landed,
    zeros included. -#}

with orders as (
    select * from {{ ref('fct_orders') }}
),

shops as (
    select shop_id, market, currency, time_zone from {{ ref('dim_shops') }}
),

placed as (
    select shop_id, created_local_date as local_date, count(*) as orders_placed
    from orders
    group by shop_id, created_local_date
),

paid as (
    select
        shop_id,
        paid_local_date as local_date,
        count(*) as orders_paid,
        sum(gmv) as gmv_paid,
        sum(units) as units_paid,
        count(distinct buyer_key) as buyers_paid
    from orders
    where counts_as_paid
    group by shop_id, paid_local_date
),

delivered as (
    select
        shop_id,
        delivered_local_date as local_date,
        count(*) as orders_delivered,
        sum(gmv) as gmv_delivered,
        sum(units) as units_delivered
    from orders
    where counts_as_delivered
    group by shop_id, delivered_local_date
),

cancelled as (
    select shop_id, cancelled_local_date as local_date, count(*) as orders_cancelled
    from orders
    where is_cancelled
    group by shop_id, cancelled_local_date
),

data_watermark as (
    -- Data is complete up to the newest change landed; each shop's last day is that moment's
    -- date in the shop's own time zone, so no shop gets a row for a day it has not reached.
    select max(updated_at_utc) as newest_update_utc
    from orders
),

shop_ranges as (
    select
        orders.shop_id,
        min(orders.created_local_date) as first_local_date,
        {{ utc_to_local_date('max(data_watermark.newest_update_utc)', 'max(shops.time_zone)') }} as last_local_date
    from orders
    cross join data_watermark
    inner join shops on orders.shop_id = shops.shop_id
    group by orders.shop_id
),

shop_days as (
    select shop_ranges.shop_id, dim_dates.date_day as local_date
    from shop_ranges
    inner join {{ ref('dim_dates') }} as dim_dates
        on dim_dates.date_day between shop_ranges.first_local_date and shop_ranges.last_local_date
),

daily as (
    select
        shop_days.shop_id,
        shop_days.local_date,
        shops.market,
        shops.currency,
        cast(coalesce(placed.orders_placed, 0) as bigint) as orders_placed,
        cast(coalesce(paid.orders_paid, 0) as bigint) as orders_paid,
        {{ to_money('coalesce(paid.gmv_paid, 0)') }} as gmv_paid,
        cast(coalesce(paid.units_paid, 0) as bigint) as units_paid,
        cast(coalesce(paid.buyers_paid, 0) as bigint) as buyers_paid,
        cast(coalesce(delivered.orders_delivered, 0) as bigint) as orders_delivered,
        {{ to_money('coalesce(delivered.gmv_delivered, 0)') }} as gmv_delivered,
        cast(coalesce(delivered.units_delivered, 0) as bigint) as units_delivered,
        cast(coalesce(cancelled.orders_cancelled, 0) as bigint) as orders_cancelled
    from shop_days
    left join shops on shop_days.shop_id = shops.shop_id
    left join placed on shop_days.shop_id = placed.shop_id and shop_days.local_date = placed.local_date
    left join paid on shop_days.shop_id = paid.shop_id and shop_days.local_date = paid.local_date
    left join delivered on shop_days.shop_id = delivered.shop_id and shop_days.local_date = delivered.local_date
    left join cancelled on shop_days.shop_id = cancelled.shop_id and shop_days.local_date = cancelled.local_date
),

final as (
    select
        shop_id,
        local_date,
        market,
        currency,
        {{ sales_basis_column('orders') }} as orders,
        {{ sales_basis_column('gmv') }} as gmv,
        '{{ var("sales_basis") }}' as sales_basis,
        orders_placed,
        orders_paid,
        gmv_paid,
        units_paid,
        buyers_paid,
        {{ aov('gmv_paid', 'orders_paid') }} as aov_paid,
        orders_delivered,
        gmv_delivered,
        units_delivered,
        {{ aov('gmv_delivered', 'orders_delivered') }} as aov_delivered,
        orders_cancelled
    from daily
)

select * from final
