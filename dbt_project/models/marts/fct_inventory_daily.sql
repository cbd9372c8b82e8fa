{#- One row per seller SKU × warehouse × day from the SKU's first ERP snapshot to the newest
    snapshot day of any SKU: the day's own count, or the last earlier count carried forward
    (`is_carried_forward`, `days_since_snapshot`) on days without one. -#}

with snapshots as (
    select * from {{ ref('int_inventory_snapshots') }}
),

stock_pools as (
    select seller_sku, warehouse, min(snapshot_date) as first_snapshot_date
    from snapshots
    group by seller_sku, warehouse
),

last_snapshot as (
    select max(snapshot_date) as last_snapshot_date from snapshots
),

pool_days as (
    select stock_pools.seller_sku, stock_pools.warehouse, days.date_day as local_date
    from stock_pools
    cross join last_snapshot
    inner join {{ ref('int_calendar_days') }} as days
        on days.date_day between stock_pools.first_snapshot_date and last_snapshot.last_snapshot_date
),

counted_on as (
    select pool_days.seller_sku, pool_days.warehouse, pool_days.local_date, max(snapshots.snapshot_date) as snapshot_date
    from pool_days
    inner join snapshots
        on pool_days.seller_sku = snapshots.seller_sku
        and pool_days.warehouse = snapshots.warehouse
        and snapshots.snapshot_date <= pool_days.local_date
    group by pool_days.seller_sku, pool_days.warehouse, pool_days.local_date
)

select
    counted_on.local_date,
    counted_on.seller_sku,
    counted_on.warehouse,
    snapshots.units_on_hand,
    snapshots.units_in_transit,
    counted_on.snapshot_date,
    counted_on.snapshot_date <> counted_on.local_date as is_carried_forward,
    cast({{ dbt.datediff('counted_on.snapshot_date', 'counted_on.local_date', 'day') }} as integer) as days_since_snapshot,
    snapshots.snapshot_source,
    snapshots.sku_mapping,
    snapshots.captured_at_utc
from counted_on
inner join snapshots
    on counted_on.seller_sku = snapshots.seller_sku
    and counted_on.warehouse = snapshots.warehouse
    and counted_on.snapshot_date = snapshots.snapshot_date
