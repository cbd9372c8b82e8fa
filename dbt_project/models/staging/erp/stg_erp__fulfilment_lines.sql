{#- One row per ERP package × seller SKU: shipped and signed-for times, carrier, warehouse and
    costs, newest export wins. The same package can arrive in several exports (daily exports
    overlap, a corrected file is re-dropped); the row from the most recently loaded file is
    kept (macro `erp_load_order`: the file loaded last, not the clock or the hash). -#}

with landed as (
    select * from {{ source('erp', 'order_fulfilment') }}
),

latest as (
    {{ latest_row_per_key(
        'landed', ['platform_order_id', 'erp_order_no', 'seller_sku'], erp_load_order(),
        ['platform_order_id', 'erp_order_no', 'seller_sku', 'shop_name', 'quantity', 'warehouse',
         'carrier', 'tracking_number', 'shipped_at', 'signed_for_at', 'shipping_cost',
         'shipping_cost_currency', 'purchase_cost', 'first_leg_freight', 'vendor', 'file_name',
         'file_sha256', 'source_row', 'loaded_at']) }}
),

typed as (
    select
        platform_order_id as order_id,
        erp_order_no as erp_package_no,
        seller_sku,
        shop_name as erp_shop_name,
        cast(quantity as integer) as quantity,
        warehouse,
        carrier,
        tracking_number,
        shipped_at as shipped_at_utc,
        signed_for_at as signed_for_at_utc,
        {{ to_money('shipping_cost') }} as shipping_cost_amount,
        coalesce(shipping_cost_currency, 'CNY') as shipping_cost_currency,
        {{ to_money('purchase_cost') }} as unit_purchase_cost_cny,
        {{ to_money('first_leg_freight') }} as unit_first_leg_freight_cny,
        vendor as erp_vendor,
        file_name as loaded_from_file,
        source_row as loaded_from_row,
        loaded_at as loaded_at_utc
    from latest
)

select * from typed
