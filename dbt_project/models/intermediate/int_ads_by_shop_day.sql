{#- Ads spend, attributed GMV and counts per shop and SHOP-local day, re-aligned from the
    advertiser's days: each advertiser day is already cut into the shop-local days it overlaps,
    to the cent and in whole counts, the parts adding up to the day exactly (int_ads_day_slices).
    Here each shop day's parts are summed per advertiser currency and converted once, at the
    rates of the shop-local day, into the shop's currency and the reporting currency (macro
    converted_amount: full precision, rounded once to the cent); the same currency is never
    converted, so an advertiser paying in the shop's (or the reporting) currency keeps every
    cent. A converted amount is null on a day before the first rate of a currency it needs is
    known (nothing to carry forward yet), and so is a shop day's total with such a part
    (sum_if_complete), never a partial sum. Spend includes GMV Max cost and attributed GMV
    includes GMV Max gross revenue; both are also shown on their own. Only days that some ads
    figure touches have a row: join with a left join and read missing as zero. -#}

with slices as (
    select * from {{ ref('int_ads_day_slices') }}
),

fx as (
    select local_date as rate_day, currency, units_per_eur, reporting_units_per_eur
    from {{ ref('fct_fx_rates_daily') }}
),

by_advertiser_currency as (
    select
        shop_id,
        local_date,
        shop_currency,
        advertiser_currency,
        sum(spend_amount + gmv_max_cost_amount) as ads_spend,
        sum(attributed_gmv_amount + gmv_max_gross_revenue_amount) as attributed_gmv,
        sum(gmv_max_cost_amount) as gmv_max_cost,
        sum(gmv_max_gross_revenue_amount) as gmv_max_gross_revenue,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(purchases) as purchases,
        sum(follows) as follows
    from slices
    group by shop_id, local_date, shop_currency, advertiser_currency
),

converted as (
    select
        parts.shop_id,
        parts.local_date,
        parts.shop_currency,
        {%- for amount in ['ads_spend', 'attributed_gmv', 'gmv_max_cost', 'gmv_max_gross_revenue'] %}
        {{ converted_amount('parts.' ~ amount, 'parts.advertiser_currency', 'parts.shop_currency',
                            'advertiser_fx.units_per_eur', 'shop_fx.units_per_eur') }} as {{ amount }}_shop,
        {{ in_reporting_currency('parts.' ~ amount, 'advertiser_fx.units_per_eur',
                                 'advertiser_fx.reporting_units_per_eur', 'parts.advertiser_currency') }} as {{ amount }}_reporting,
        {%- endfor %}
        -- The currency whose missing rate leaves an amount unconverted (null when none).
        case
            when parts.advertiser_currency = parts.shop_currency
                and parts.advertiser_currency = '{{ var("reporting_currency") }}' then null
            when advertiser_fx.units_per_eur is null then parts.advertiser_currency
            when parts.advertiser_currency <> parts.shop_currency and shop_fx.units_per_eur is null
                then parts.shop_currency
            when parts.advertiser_currency <> '{{ var("reporting_currency") }}'
                and advertiser_fx.reporting_units_per_eur is null then '{{ var("reporting_currency") }}'
        end as missing_rate_currency,
        parts.impressions,
        parts.clicks,
        parts.purchases,
        parts.follows
    from by_advertiser_currency as parts
    left join fx as advertiser_fx
        on parts.local_date = advertiser_fx.rate_day
        and parts.advertiser_currency = advertiser_fx.currency
    left join fx as shop_fx
        on parts.local_date = shop_fx.rate_day
        and parts.shop_currency = shop_fx.currency
),

final as (
    select
        shop_id,
        local_date,
        shop_currency as currency,
        '{{ var("reporting_currency") }}' as reporting_currency,
        {{ to_money(sum_if_complete('ads_spend_shop')) }} as ads_spend_amount,
        {{ to_money(sum_if_complete('ads_spend_reporting')) }} as ads_spend_amount_reporting,
        {{ to_money(sum_if_complete('attributed_gmv_shop')) }} as attributed_gmv_amount,
        {{ to_money(sum_if_complete('attributed_gmv_reporting')) }} as attributed_gmv_amount_reporting,
        {{ to_money(sum_if_complete('gmv_max_cost_shop')) }} as gmv_max_cost_amount,
        {{ to_money(sum_if_complete('gmv_max_cost_reporting')) }} as gmv_max_cost_amount_reporting,
        {{ to_money(sum_if_complete('gmv_max_gross_revenue_shop')) }} as gmv_max_gross_revenue_amount,
        {{ to_money(sum_if_complete('gmv_max_gross_revenue_reporting')) }} as gmv_max_gross_revenue_amount_reporting,
        min(missing_rate_currency) as missing_rate_currency,
        cast(sum(impressions) as bigint) as ads_impressions,
        cast(sum(clicks) as bigint) as ads_clicks,
        cast(sum(purchases) as bigint) as ads_orders,
        cast(sum(follows) as bigint) as ads_follows
    from converted
    group by shop_id, local_date, shop_currency
)

select * from final
