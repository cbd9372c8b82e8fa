{#- Ads KPIs per level (advertiser, campaign, ad group, ad), entity and advertiser-local day,
    in the advertiser's currency and converted to the reporting currency at that day's rate.
    Sums come from fct_ads_daily; every ratio is recomputed from the sums at its own level
    (macros in ads_formulas.sql), never averaged. Reporting amounts are null on days before the
    first rate of the advertiser's currency is known. An ad row whose shopping value the API
    sent as "-" (no value) adds nothing to attributed GMV and is counted in
    ads_without_attributed_value, so a ROAS built on fewer ads says so. Reach is kept only at
    the ad × day grain it was reported at: unique people cannot be summed, so it is null at
    every roll-up. -#}

with ads as (
    select * from {{ ref('fct_ads_daily') }}
),

fx as (
    select local_date as rate_day, currency, units_per_eur, reporting_units_per_eur
    from {{ ref('fct_fx_rates_daily') }}
),

reporting_rate as (
    -- in_reporting_currency keeps reporting-currency amounts as they are, even before the
    -- first rate is known.
    select
        all_days.rate_day,
        all_days.currency,
        fx.units_per_eur,
        fx.reporting_units_per_eur
    from (select distinct local_date as rate_day, currency from ads) as all_days
    left join fx on all_days.rate_day = fx.rate_day and all_days.currency = fx.currency
),

{%- set sums -%}
        sum(spend_amount) as spend_amount,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(conversions) as conversions,
        sum(purchases) as orders,
        sum(attributed_gmv_amount) as attributed_gmv_amount,
        sum(case when attributed_gmv_amount is null then 1 else 0 end) as ads_without_attributed_value
{%- endset %}

{%- set one_shop -%}
        case when min(shop_id) = max(shop_id) then min(shop_id) end as shop_id
{%- endset %}

by_ad as (
    select
        'ad' as level,
        ad_id as entity_id,
        local_date,
        advertiser_id,
        campaign_id,
        adgroup_id,
        ad_id,
        shop_id,
        currency,
        time_zone,
        spend_amount,
        impressions,
        clicks,
        conversions,
        purchases as orders,
        attributed_gmv_amount,
        case when attributed_gmv_amount is null then 1 else 0 end as ads_without_attributed_value,
        reach
    from ads
),

by_adgroup as (
    select
        'adgroup' as level,
        adgroup_id as entity_id,
        local_date,
        advertiser_id,
        campaign_id,
        adgroup_id,
        cast(null as varchar) as ad_id,
        {{ one_shop }},
        currency,
        time_zone,
        {{ sums }},
        cast(null as bigint) as reach
    from ads
    group by adgroup_id, local_date, advertiser_id, campaign_id, currency, time_zone
),

by_campaign as (
    select
        'campaign' as level,
        campaign_id as entity_id,
        local_date,
        advertiser_id,
        campaign_id,
        cast(null as varchar) as adgroup_id,
        cast(null as varchar) as ad_id,
        {{ one_shop }},
        currency,
        time_zone,
        {{ sums }},
        cast(null as bigint) as reach
    from ads
    group by campaign_id, local_date, advertiser_id, currency, time_zone
),

by_advertiser as (
    select
        'advertiser' as level,
        advertiser_id as entity_id,
        local_date,
        advertiser_id,
        cast(null as varchar) as campaign_id,
        cast(null as varchar) as adgroup_id,
        cast(null as varchar) as ad_id,
        {{ one_shop }},
        currency,
        time_zone,
        {{ sums }},
        cast(null as bigint) as reach
    from ads
    group by local_date, advertiser_id, currency, time_zone
),

all_levels as (
    select * from by_ad
    union all
    select * from by_adgroup
    union all
    select * from by_campaign
    union all
    select * from by_advertiser
),

final as (
    select
        all_levels.level,
        all_levels.entity_id,
        all_levels.local_date,
        all_levels.advertiser_id,
        all_levels.campaign_id,
        all_levels.adgroup_id,
        all_levels.ad_id,
        all_levels.shop_id,
        all_levels.time_zone,
        all_levels.currency,
        '{{ var("reporting_currency") }}' as reporting_currency,
        {{ to_money('all_levels.spend_amount') }} as spend_amount,
        {{ in_reporting_currency('all_levels.spend_amount', 'reporting_rate.units_per_eur', 'reporting_rate.reporting_units_per_eur', 'all_levels.currency') }} as spend_amount_reporting,
        cast(all_levels.impressions as bigint) as impressions,
        cast(all_levels.reach as bigint) as reach,
        cast(all_levels.clicks as bigint) as clicks,
        cast(all_levels.conversions as bigint) as conversions,
        cast(all_levels.orders as bigint) as orders,
        {{ to_money('all_levels.attributed_gmv_amount') }} as attributed_gmv_amount,
        {{ in_reporting_currency('all_levels.attributed_gmv_amount', 'reporting_rate.units_per_eur', 'reporting_rate.reporting_units_per_eur', 'all_levels.currency') }} as attributed_gmv_amount_reporting,
        cast(all_levels.ads_without_attributed_value as bigint) as ads_without_attributed_value,
        {{ ctr('all_levels.clicks', 'all_levels.impressions') }} as click_through_rate,
        {{ cpc('all_levels.spend_amount', 'all_levels.clicks') }} as cost_per_click_amount,
        {{ cpm('all_levels.spend_amount', 'all_levels.impressions') }} as cost_per_mille_amount,
        {{ cvr('all_levels.conversions', 'all_levels.clicks') }} as click_conversion_rate,
        {{ cost_per_conversion('all_levels.spend_amount', 'all_levels.conversions') }} as cost_per_conversion_amount,
        {{ cost_per_order('all_levels.spend_amount', 'all_levels.orders') }} as cost_per_order_amount,
        {{ roas('all_levels.attributed_gmv_amount', 'all_levels.spend_amount') }} as roas
    from all_levels
    left join reporting_rate
        on all_levels.local_date = reporting_rate.rate_day
        and all_levels.currency = reporting_rate.currency
)

select * from final
