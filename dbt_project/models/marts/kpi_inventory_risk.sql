{#- One row per seller SKU × warehouse × day of fct_inventory_daily: stock, units sold over 7
    and 28 days (paid basis, TikTok order lines by seller SKU, dated by the shop-local paid
    day, gifts included because they leave the warehouse too), velocity, days of cover at the
    7-day velocity, forecast stock-out date and the risk flags. Sales reach a warehouse through
    int_sku_stock_warehouses. The risk horizon is var `inventory_risk_days`. -#}

with inventory as (
    select * from {{ ref('fct_inventory_daily') }}
),

paid_units as (
    select
        warehouses.warehouse,
        lines.seller_sku,
        orders.paid_local_date as sales_date,
        count(*) as units_sold
    from {{ ref('stg_tiktok_shop__order_line_items') }} as lines
    inner join {{ ref('fct_orders') }} as orders on lines.order_id = orders.order_id
    inner join {{ ref('int_sku_stock_warehouses') }} as warehouses
        on orders.shop_id = warehouses.shop_id and lines.seller_sku = warehouses.seller_sku
    where orders.counts_as_paid and warehouses.warehouse is not null
    group by warehouses.warehouse, lines.seller_sku, orders.paid_local_date
),

sold as (
    select
        inventory.local_date,
        inventory.seller_sku,
        inventory.warehouse,
        cast(coalesce(sum(case
            when paid_units.sales_date > {{ dbt.dateadd('day', -7, 'inventory.local_date') }}
            then paid_units.units_sold end), 0) as integer) as units_sold_7d,
        cast(coalesce(sum(paid_units.units_sold), 0) as integer) as units_sold_28d
    from inventory
    left join paid_units
        on inventory.warehouse = paid_units.warehouse
        and inventory.seller_sku = paid_units.seller_sku
        and paid_units.sales_date > {{ dbt.dateadd('day', -28, 'inventory.local_date') }}
        and paid_units.sales_date <= inventory.local_date
    group by inventory.local_date, inventory.seller_sku, inventory.warehouse
),

measured as (
    select
        inventory.local_date,
        inventory.seller_sku,
        inventory.warehouse,
        inventory.units_on_hand,
        inventory.units_in_transit,
        inventory.is_carried_forward,
        sold.units_sold_7d,
        sold.units_sold_28d,
        {{ sales_velocity('sold.units_sold_7d', 7) }} as sales_velocity_7d,
        {{ sales_velocity('sold.units_sold_28d', 28) }} as sales_velocity_28d
    from inventory
    inner join sold
        on inventory.local_date = sold.local_date
        and inventory.seller_sku = sold.seller_sku
        and inventory.warehouse = sold.warehouse
),

covered as (
    select
        measured.*,
        {{ days_of_cover('units_on_hand', 'sales_velocity_7d') }} as days_of_cover
    from measured
)

select
    local_date,
    seller_sku,
    warehouse,
    units_on_hand,
    units_in_transit,
    is_carried_forward,
    units_sold_7d,
    units_sold_28d,
    sales_velocity_7d,
    sales_velocity_28d,
    days_of_cover,
    {{ stock_out_forecast_date('local_date', 'days_of_cover') }} as forecast_stock_out_date,
    {{ is_stock_out_risk('units_on_hand', 'days_of_cover', var('inventory_risk_days')) }} as is_stock_out_risk,
    units_on_hand = 0 as is_stocked_out,
    cast({{ var('inventory_risk_days') }} as integer) as risk_horizon_days
from covered
