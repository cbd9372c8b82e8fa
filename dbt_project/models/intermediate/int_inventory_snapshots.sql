{#- One stock count per snapshot day × seller SKU × warehouse from both ERP channels: the file
    drops (`snapshot_source` 'erp_file', dated by the ERP's own day) and the ERP open API
    ('erp_api', dated by the UTC day of the fetch). The newest capture of a day wins.

    The API counts local SKUs; they are mapped to seller SKUs (Lingxing MSKU = TikTok
    seller_sku) through the pairs the API's own order items show. A local SKU never seen on an
    order keeps its local code (`sku_mapping` 'unmapped') rather than being dropped. -#}

with file_snapshots as (
    select
        snapshot_date,
        seller_sku,
        warehouse,
        units_on_hand,
        units_in_transit,
        'erp_file' as snapshot_source,
        'file' as sku_mapping,
        loaded_at_utc as captured_at_utc
    from {{ ref('stg_erp__inventory_snapshots') }}
),

sku_pairs as (
    select local_sku, min(seller_sku) as seller_sku
    from {{ ref('stg_erp_api__order_items') }}
    where local_sku is not null and seller_sku is not null
    group by local_sku
),

api_snapshots as (
    select
        levels.snapshot_date,
        coalesce(sku_pairs.seller_sku, levels.local_sku) as seller_sku,
        levels.warehouse,
        cast(levels.available_units as integer) as units_on_hand,
        cast(coalesce(levels.awaiting_arrival_units, 0) + coalesce(levels.in_transfer_units, 0) as integer)
            as units_in_transit,
        'erp_api' as snapshot_source,
        case when sku_pairs.seller_sku is null then 'unmapped' else 'order_items' end as sku_mapping,
        levels.fetched_at_utc as captured_at_utc
    from {{ ref('stg_erp_api__inventory_levels') }} as levels
    left join sku_pairs on levels.local_sku = sku_pairs.local_sku
),

unioned as (
    select * from file_snapshots
    union all
    select * from api_snapshots
),

newest as (
    {{ latest_row_per_key(
        'unioned', ['snapshot_date', 'seller_sku', 'warehouse'], 'captured_at_utc desc, snapshot_source',
        ['snapshot_date', 'seller_sku', 'warehouse', 'units_on_hand', 'units_in_transit',
         'snapshot_source', 'sku_mapping', 'captured_at_utc']) }}
)

select * from newest
