{#- One row per TikTok order marked ready to ship, held against the ERP: is it there (file or
    API channel), does the ERP owe it yet (it shipped no later than the ERP's newest shipment
    for the shop: orders after that are not late, the ERP has simply not got that far), and how
    far the ERP's sign-for lags TikTok's delivery time. Shops with no ERP line at all are not
    held against the ERP (owed_by_erp null): a seller may run a shop without one. -#}

with orders as (
    select order_id, shop_id, time_zone, tiktok_delivered_at_utc, erp_signed_for_at_utc
    from {{ ref('int_orders_with_sales_basis') }}
),

ready_to_ship as (
    select order_id, ready_to_ship_at_utc
    from {{ ref('stg_tiktok_shop__orders') }}
    where ready_to_ship_at_utc is not null
),

erp_orders as (
    select order_id, max(shipped_at_utc) as erp_shipped_at_utc
    from {{ ref('int_erp_fulfilment_lines') }}
    group by order_id
),

erp_reach as (
    select orders.shop_id, max(erp_orders.erp_shipped_at_utc) as erp_shipped_through_utc
    from erp_orders
    inner join orders on erp_orders.order_id = orders.order_id
    group by orders.shop_id
)

select
    orders.order_id,
    orders.shop_id,
    {{ utc_to_local_date('ready_to_ship.ready_to_ship_at_utc', 'orders.time_zone') }} as ready_local_date,
    erp_orders.order_id is not null as found_in_erp,
    ready_to_ship.ready_to_ship_at_utc <= erp_reach.erp_shipped_through_utc as owed_by_erp,
    {{ utc_to_local_date('orders.tiktok_delivered_at_utc', 'orders.time_zone') }} as delivered_local_date,
    case
        when orders.tiktok_delivered_at_utc is not null and orders.erp_signed_for_at_utc is not null
            then {{ dbt.datediff('orders.tiktok_delivered_at_utc', 'orders.erp_signed_for_at_utc', 'second') }}
    end as sign_for_lag_seconds
from ready_to_ship
inner join orders on ready_to_ship.order_id = orders.order_id
left join erp_orders on ready_to_ship.order_id = erp_orders.order_id
left join erp_reach on orders.shop_id = erp_reach.shop_id
