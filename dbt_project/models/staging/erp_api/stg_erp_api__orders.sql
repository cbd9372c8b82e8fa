{#- One row per ERP order (a package; a split TikTok order has several), newest version.
    Lingxing sends times as Unix seconds (0 = not yet) except `global_create_time`, printed in
    Beijing time (UTC+8, no daylight saving): converted to UTC here. Buyer and address fields
    are never selected. -#}

with latest as (
    select erp_order_no, fetched_at, partition_key, order_json from {{ ref('base_erp_api__orders') }}
),

parsed as (
    select
        erp_order_no,
        {{ json_text('order_json', '$.platform_info[0].platform_order_no') }} as order_id,
        {{ json_text('order_json', '$.platform_info[0].platform_code') }} as platform_code,
        {{ json_text('order_json', '$.store_id') }} as erp_store_id,
        {{ json_text('order_json', '$.store_name') }} as erp_shop_name,
        {{ json_text('order_json', '$.wid') }} as warehouse_id,
        {{ json_text('order_json', '$.warehouse_name') }} as warehouse,
        cast({{ json_text('order_json', '$.status') }} as integer) as status_code,
        {{ json_text('order_json', '$.split_type') }} = '2' as is_split,
        {{ json_text('order_json', '$.amount_currency') }} as currency,
        nullif(cast({{ json_text('order_json', '$.global_purchase_time') }} as bigint), 0) as purchase_epoch,
        nullif(cast({{ json_text('order_json', '$.global_payment_time') }} as bigint), 0) as payment_epoch,
        nullif(cast({{ json_text('order_json', '$.global_delivery_time') }} as bigint), 0) as shipped_epoch,
        nullif(cast({{ json_text('order_json', '$.global_cancel_time') }} as bigint), 0) as cancel_epoch,
        cast({{ json_text('order_json', '$.update_time') }} as bigint) as update_epoch,
        cast({{ json_text('order_json', '$.global_create_time') }} as timestamp) as created_at_beijing,
        nullif({{ json_text('order_json', '$.logistics_info.logistics_provider_name') }}, '') as carrier,
        nullif({{ json_text('order_json', '$.logistics_info.tracking_no') }}, '') as tracking_number,
        {{ json_text('order_json', '$.logistics_info.cost_amount') }} as shipping_cost_text,
        {{ json_text('order_json', '$.logistics_info.pre_cost_amount') }} as estimated_shipping_text,
        coalesce(nullif({{ json_text('order_json', '$.logistics_info.cost_currency_code') }}, ''), 'CNY') as shipping_cost_currency,
        fetched_at,
        partition_key
    from latest
)

select
    erp_order_no,
    order_id,
    platform_code,
    erp_store_id,
    erp_shop_name,
    warehouse_id,
    warehouse,
    status_code,
    case status_code
        when 5 then 'awaiting_shipment'
        when 6 then 'shipped'
        when 7 then 'cancelled'
        else 'other'
    end as status,
    is_split,
    currency,
    {{ epoch_seconds_to_utc('purchase_epoch') }} as purchased_at_utc,
    {{ epoch_seconds_to_utc('payment_epoch') }} as paid_at_utc,
    {{ epoch_seconds_to_utc('shipped_epoch') }} as shipped_at_utc,
    {{ epoch_seconds_to_utc('cancel_epoch') }} as cancelled_at_utc,
    {{ epoch_seconds_to_utc('update_epoch') }} as updated_at_utc,
    {{ dbt.dateadd('hour', -8, 'created_at_beijing') }} as erp_created_at_utc,
    carrier,
    tracking_number,
    {{ to_money("nullif(shipping_cost_text, '')") }} as shipping_cost_amount,
    {{ to_money("nullif(estimated_shipping_text, '')") }} as estimated_shipping_cost_amount,
    shipping_cost_currency,
    fetched_at as fetched_at_utc,
    partition_key as landed_partition
from parsed
