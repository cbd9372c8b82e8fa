{#- One row per TikTok Ads campaign with its advertiser, the shop it sells for, objective,
    status and budget in the advertiser's currency and in the reporting currency. A budget is a
    setting, not a day's figure: it is converted at the newest rate known. The shop comes from
    the advertiser_shops seed, else from its ad groups' `store_id` (as in fct_ads_daily). -#}

with campaigns as (
    select * from {{ ref('stg_tiktok_ads__campaigns') }}
),

advertisers as (
    select advertiser_id, currency from {{ ref('stg_tiktok_ads__advertisers') }}
),

advertiser_shops as (
    select advertiser_id, shop_id from {{ ref('advertiser_shops') }}
),

adgroup_stores as (
    select
        campaign_id,
        case when min(store_id) = max(store_id) then min(store_id) end as store_id
    from {{ ref('stg_tiktok_ads__adgroups') }}
    group by campaign_id
),

newest_rates as (
    select currency, units_per_eur, reporting_units_per_eur, reporting_per_unit
    from {{ ref('fct_fx_rates_daily') }}
    where local_date = (select max(local_date) from {{ ref('fct_fx_rates_daily') }})
),

final as (
    select
        campaigns.campaign_id,
        campaigns.advertiser_id,
        coalesce(advertiser_shops.shop_id, adgroup_stores.store_id) as shop_id,
        campaigns.campaign_name,
        campaigns.campaign_type,
        campaigns.objective_type,
        campaigns.operation_status,
        campaigns.secondary_status,
        campaigns.budget_mode,
        advertisers.currency,
        campaigns.budget_amount,
        '{{ var("reporting_currency") }}' as reporting_currency,
        {{ in_reporting_currency('campaigns.budget_amount', 'newest_rates.units_per_eur', 'newest_rates.reporting_units_per_eur', 'advertisers.currency') }} as budget_amount_reporting,
        campaigns.created_at,
        campaigns.modified_at
    from campaigns
    left join advertisers on campaigns.advertiser_id = advertisers.advertiser_id
    left join advertiser_shops on campaigns.advertiser_id = advertiser_shops.advertiser_id
    left join adgroup_stores on campaigns.campaign_id = adgroup_stores.campaign_id
    left join newest_rates on advertisers.currency = newest_rates.currency
)

select * from final
