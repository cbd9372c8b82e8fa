{#- Ads spend, attributed GMV and counts per shop and SHOP-local day, re-aligned from the
    advertiser's days: each advertiser-day's amounts are split across the shop-local days it overlaps in
    proportion to hours of overlap (int_ads_day_slices), converted from the advertiser's
    currency into the shop's currency and into the reporting currency at the rates of the
    shop-local day, summed, and rounded to cents once per row. Totals are conserved up to that
    rounding (at most half a cent per row and amount). A converted amount is null on a day
    before the first rate of a currency it needs is known (nothing to carry forward yet), and so
    is a shop day's total with such a part (sum_if_complete), never a partial sum. Spend includes GMV Max cost and
    attributed GMV includes GMV Max gross revenue; both are also shown on their own. Counts
    (ad report impressions, clicks, purchases, follows) are cut by the same hours into whole
    numbers that add up to the advertiser day's (macro apportioned_count). Only days
    that some ads figure touches have a row: join with a left join and read missing as zero. -#}

with slices as (
    select * from {{ ref('int_ads_day_slices') }}
),

fx as (
    select rate_day, currency, units_per_eur, reporting_per_unit
    from {{ ref('fct_fx_rates_daily') }}
),

converted as (
    select
        slices.shop_id,
        slices.local_date,
        slices.shop_currency,
        -- The same currency needs no rate (and has one even before the first rate is known).
        slices.day_share * case
            when slices.shop_currency = slices.advertiser_currency then 1
            else {{ safe_ratio('shop_fx.units_per_eur', 'advertiser_fx.units_per_eur', 10) }}
        end as to_shop,
        slices.day_share * case
            when slices.advertiser_currency = '{{ var("reporting_currency") }}' then 1
            else advertiser_fx.reporting_per_unit
        end as to_reporting,
        slices.spend_amount + slices.gmv_max_cost_amount as ads_spend,
        slices.attributed_gmv_amount + slices.gmv_max_gross_revenue_amount as attributed_gmv,
        slices.gmv_max_cost_amount as gmv_max_cost,
        slices.gmv_max_gross_revenue_amount as gmv_max_gross_revenue,
        {{ apportioned_count('slices.impressions', 'slices.seconds_before_slice', 'slices.overlap_seconds', 'slices.advertiser_day_seconds') }} as impressions,
        {{ apportioned_count('slices.clicks', 'slices.seconds_before_slice', 'slices.overlap_seconds', 'slices.advertiser_day_seconds') }} as clicks,
        {{ apportioned_count('slices.purchases', 'slices.seconds_before_slice', 'slices.overlap_seconds', 'slices.advertiser_day_seconds') }} as purchases,
        {{ apportioned_count('slices.follows', 'slices.seconds_before_slice', 'slices.overlap_seconds', 'slices.advertiser_day_seconds') }} as follows
    from slices
    left join fx as advertiser_fx
        on slices.local_date = advertiser_fx.rate_day
        and slices.advertiser_currency = advertiser_fx.currency
    left join fx as shop_fx
        on slices.local_date = shop_fx.rate_day
        and slices.shop_currency = shop_fx.currency
),

final as (
    select
        shop_id,
        local_date,
        shop_currency as currency,
        '{{ var("reporting_currency") }}' as reporting_currency,
        {{ to_money(sum_if_complete('ads_spend * to_shop')) }} as ads_spend_amount,
        {{ to_money(sum_if_complete('ads_spend * to_reporting')) }} as ads_spend_amount_reporting,
        {{ to_money(sum_if_complete('attributed_gmv * to_shop')) }} as attributed_gmv_amount,
        {{ to_money(sum_if_complete('attributed_gmv * to_reporting')) }} as attributed_gmv_amount_reporting,
        {{ to_money(sum_if_complete('gmv_max_cost * to_shop')) }} as gmv_max_cost_amount,
        {{ to_money(sum_if_complete('gmv_max_cost * to_reporting')) }} as gmv_max_cost_amount_reporting,
        {{ to_money(sum_if_complete('gmv_max_gross_revenue * to_shop')) }} as gmv_max_gross_revenue_amount,
        {{ to_money(sum_if_complete('gmv_max_gross_revenue * to_reporting')) }} as gmv_max_gross_revenue_amount_reporting,
        sum(impressions) as ads_impressions,
        sum(clicks) as ads_clicks,
        sum(purchases) as ads_orders,
        sum(follows) as ads_follows
    from converted
    group by shop_id, local_date, shop_currency
)

select * from final
