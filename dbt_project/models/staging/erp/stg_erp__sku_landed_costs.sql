{#- One row per ERP vendor, seller SKU and effective date: purchase cost and first-leg freight
    per unit, newest export wins. Keyed by vendor too: a seller whose markets run on different
    ERPs buys the same SKU code at different costs, and one vendor's export must not replace
    another's. A SKU without an effective date applies from the start of time. -#}

with landed as (
    select * from {{ source('erp', 'sku_landed_cost') }}
),

keyed as (
    select
        *,
        coalesce(effective_date, cast('1970-01-01' as date)) as effective_from
    from landed
),

latest as (
    {{ latest_row_per_key(
        'keyed', ['vendor', 'seller_sku', 'effective_from'], erp_load_order(),
        ['seller_sku', 'effective_from', 'purchase_cost', 'first_leg_freight', 'currency',
         'vendor', 'file_name', 'source_row', 'loaded_at']) }}
),

typed as (
    select
        seller_sku,
        effective_from,
        coalesce(currency, 'CNY') as currency,
        {{ to_money('purchase_cost') }} as unit_purchase_cost_amount,
        coalesce({{ to_money('first_leg_freight') }}, 0) as unit_first_leg_freight_amount,
        vendor as erp_vendor,
        file_name as loaded_from_file,
        source_row as loaded_from_row,
        loaded_at as loaded_at_utc
    from latest
)

select * from typed
