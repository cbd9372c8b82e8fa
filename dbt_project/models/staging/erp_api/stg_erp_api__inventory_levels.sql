{#- One row per snapshot day x warehouse x local SKU: the newest fetch of that UTC day wins
    (a rerun the same day replaces the file anyway). Costs per unit in CNY. -#}

with raw_pages as (
    select fetched_at, request_id, body from {{ source('erp_api', 'inventory') }}
),

stock_rows as (
    {{ json_array_rows('raw_pages', 'body', '$.data', 'stock_json', ['fetched_at', 'request_id']) }}
),

parsed as (
    select
        cast(fetched_at as date) as snapshot_date,
        {{ json_text('stock_json', '$.wid') }} as warehouse_id,
        {{ json_text('stock_json', '$.warehouse_name') }} as warehouse,
        {{ json_text('stock_json', '$.sku') }} as local_sku,
        cast({{ json_text('stock_json', '$.product_valid_num') }} as bigint) as available_units,
        cast({{ json_text('stock_json', '$.product_bad_num') }} as bigint) as defective_units,
        cast({{ json_text('stock_json', '$.product_lock_num') }} as bigint) as locked_units,
        cast({{ json_text('stock_json', '$.quantity_receive') }} as bigint) as awaiting_arrival_units,
        cast({{ json_text('stock_json', '$.product_onway') }} as bigint) as in_transfer_units,
        {{ to_money("nullif(" ~ json_text('stock_json', '$.purchase_price') ~ ", '')") }} as unit_purchase_cost_cny,
        {{ to_money("nullif(" ~ json_text('stock_json', '$.head_stock_price') ~ ", '')") }} as unit_first_leg_cost_cny,
        fetched_at
    from stock_rows
),

latest as (
    {{ latest_row_per_key(
        'parsed', ['snapshot_date', 'warehouse_id', 'local_sku'], 'fetched_at desc',
        ['snapshot_date', 'warehouse_id', 'warehouse', 'local_sku', 'available_units',
         'defective_units', 'locked_units', 'awaiting_arrival_units', 'in_transfer_units',
         'unit_purchase_cost_cny', 'unit_first_leg_cost_cny', 'fetched_at']) }}
)

select
    snapshot_date,
    warehouse_id,
    warehouse,
    local_sku,
    available_units,
    defective_units,
    locked_units,
    awaiting_arrival_units,
    in_transfer_units,
    unit_purchase_cost_cny,
    unit_first_leg_cost_cny,
    fetched_at as fetched_at_utc
from latest
