{#- One row per order a creator sold (newest version): creator, content, commission rate and
    the commission summed over the order's SKU lines. The creator and content are the same on
    every line of an order (one attribution per order). No buyer fields exist here. -#}

with latest_orders as (
    select * from {{ ref('base_tiktok_shop__affiliate_orders') }}
),

sku_lines as (
    {{ json_array_rows('latest_orders', 'affiliate_order_json', '$.skus', 'sku_json', ['order_id']) }}
),

commissions as (
    select
        order_id,
        sum({{ to_money(json_text('sku_json', '$.estimated_commission.amount')) }}) as commission_amount,
        count(*) as sku_line_count
    from sku_lines
    group by order_id
),

typed as (
    select
        o.order_id,
        o.shop_id,
        {{ json_text('o.affiliate_order_json', '$.skus[0].creator_user_id') }} as creator_id,
        {{ json_text('o.affiliate_order_json', '$.skus[0].creator_username') }} as creator_username,
        {{ json_text('o.affiliate_order_json', '$.skus[0].content_type') }} as content_type,
        {{ json_text('o.affiliate_order_json', '$.skus[0].content_id') }} as content_id,
        cast({{ json_text('o.affiliate_order_json', '$.skus[0].commission_rate') }} as decimal(9, 4))
            as commission_rate,
        {{ json_text('o.affiliate_order_json', '$.skus[0].estimated_commission.currency') }} as currency,
        c.commission_amount,
        c.sku_line_count,
        {{ json_text('o.affiliate_order_json', '$.status') }} as order_status,
        {{ epoch_seconds_to_utc(json_text('o.affiliate_order_json', '$.create_time')) }} as created_at_utc,
        {{ epoch_seconds_to_utc('o.update_time') }} as updated_at_utc,
        o.fetched_at as loaded_at_utc,
        o.request_id as loaded_from_request_id
    from latest_orders as o
    inner join commissions as c on o.order_id = c.order_id
)

select * from typed
