{#- One row per snapshot day × seller SKU × warehouse: units on hand and in transit, newest
    export of that day wins (a re-exported day replaces the earlier count). -#}

with landed as (
    select * from {{ source('erp', 'inventory_snapshot') }}
),

latest as (
    {{ latest_row_per_key(
        'landed', ['snapshot_date', 'seller_sku', 'warehouse'], erp_load_order(),
        ['snapshot_date', 'seller_sku', 'warehouse', 'on_hand', 'in_transit', 'vendor',
         'file_name', 'source_row', 'loaded_at']) }}
),

typed as (
    select
        snapshot_date,
        seller_sku,
        warehouse,
        cast(on_hand as integer) as units_on_hand,
        cast(coalesce(in_transit, 0) as integer) as units_in_transit,
        vendor as erp_vendor,
        file_name as loaded_from_file,
        source_row as loaded_from_row,
        loaded_at as loaded_at_utc
    from latest
)

select * from typed
