{#- The one canonical ERP fulfilment model: package x seller SKU lines from the file drops
    (`erp_channel` 'file') and from the ERP's open API ('api'), in the same columns.

    API lines are the shipped ERP orders (status 6) only, like the exports, which list
    shipments. The package's logistics cost sits on its first item only (as in the exports),
    so it can be summed. The API carries no buyer signed-for time and no per-unit first-leg
    freight on orders: both are null there. When an order arrives through both channels the
    API's lines win (structured, and fetched rather than dropped by hand). The raw pages do not
    name the vendor: var `erp_api_vendor` does (default lingxing, the only adapter so far). -#}

with file_lines as (
    select
        order_id,
        erp_package_no,
        seller_sku,
        erp_shop_name,
        quantity,
        warehouse,
        carrier,
        tracking_number,
        shipped_at_utc,
        signed_for_at_utc,
        shipping_cost_amount,
        shipping_cost_currency,
        unit_purchase_cost_cny,
        unit_first_leg_freight_cny,
        erp_vendor,
        loaded_from_file,
        loaded_from_row,
        loaded_at_utc,
        'file' as erp_channel
    from {{ ref('stg_erp__fulfilment_lines') }}
),

shipped_api_orders as (
    select * from {{ ref('stg_erp_api__orders') }}
    where status = 'shipped'
),

api_lines as (
    select
        items.order_id,
        items.erp_order_no as erp_package_no,
        items.seller_sku,
        orders.erp_shop_name,
        items.quantity,
        orders.warehouse,
        orders.carrier,
        orders.tracking_number,
        orders.shipped_at_utc,
        cast(null as timestamp) as signed_for_at_utc,
        case when items.item_position = 1 then orders.shipping_cost_amount end as shipping_cost_amount,
        orders.shipping_cost_currency,
        items.unit_purchase_cost_cny,
        cast(null as decimal(18, 2)) as unit_first_leg_freight_cny,
        '{{ var("erp_api_vendor", "lingxing") }}' as erp_vendor,
        {{ dbt.concat(["'raw/erp_api/orders/'", 'orders.landed_partition', "'.jsonl.gz'"]) }} as loaded_from_file,
        cast(null as integer) as loaded_from_row,
        orders.fetched_at_utc as loaded_at_utc,
        'api' as erp_channel
    from {{ ref('stg_erp_api__order_items') }} as items
    inner join shipped_api_orders as orders on items.erp_order_no = orders.erp_order_no
    where not items.is_deleted
),

file_lines_without_api as (
    select file_lines.*
    from file_lines
    where not exists (select 1 from api_lines where api_lines.order_id = file_lines.order_id)
)

select * from api_lines
union all
select * from file_lines_without_api
