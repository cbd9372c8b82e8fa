{#- One row per ERP vendor × seller SKU × cost period: the unit landed cost (purchase cost +
    first-leg freight) in the ERP's currency and the days it applies to. A period runs from its
    effective day to the day before the next one takes over (`effective_end`, inclusive; null
    while it is the current cost). Keyed by vendor: shops whose markets run on different ERPs can buy
    the same SKU code at different costs (dim_shops has no ERP; the ERP's orders name it). -#}

with costs as (
    select * from {{ ref('stg_erp__sku_landed_costs') }}
),

periods as (
    select
        erp_vendor,
        seller_sku,
        effective_from,
        lead(effective_from) over (
            partition by erp_vendor, seller_sku order by effective_from
        ) as next_effective_from,
        currency,
        unit_purchase_cost_amount,
        unit_first_leg_freight_amount,
        {{ to_money('unit_purchase_cost_amount + unit_first_leg_freight_amount') }} as unit_landed_cost_amount,
        loaded_from_file,
        loaded_from_row
    from costs
),

final as (
    select
        erp_vendor,
        seller_sku,
        effective_from as effective_start,
        cast({{ dbt.dateadd('day', -1, 'next_effective_from') }} as date) as effective_end,
        next_effective_from is null as is_current,
        currency,
        unit_purchase_cost_amount,
        unit_first_leg_freight_amount,
        unit_landed_cost_amount,
        loaded_from_file,
        loaded_from_row
    from periods
)

select * from final
