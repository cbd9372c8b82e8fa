{#- One row per ad and advertiser-local day: the sums the ads KPIs are computed from, in the
    advertiser's currency, with the shop the ad sells for. The shop comes from the
    advertiser↔shop link in the `advertiser_shops` seed, or else from the ad group's
    `store_id`. Ratios (CTR, CPC, CPM, ROAS) are not stored here: they are recomputed from
    these sums at whatever grain a KPI needs, because averaging daily ratios is wrong. -#}

with stats as (
    select * from {{ ref('stg_tiktok_ads__ad_daily_stats') }}
),

ads as (
    select ad_id, adgroup_id, campaign_id, ad_name, video_id, product_id
    from {{ ref('stg_tiktok_ads__ads') }}
),

adgroups as (
    select adgroup_id, store_id from {{ ref('stg_tiktok_ads__adgroups') }}
),

advertisers as (
    select advertiser_id, currency, time_zone from {{ ref('stg_tiktok_ads__advertisers') }}
),

advertiser_shops as (
    select advertiser_id, shop_id from {{ ref('advertiser_shops') }}
),

final as (
    select
        stats.ad_id,
        stats.stat_date as local_date,
        stats.advertiser_id,
        coalesce(advertiser_shops.shop_id, adgroups.store_id) as shop_id,
        ads.campaign_id,
        ads.adgroup_id,
        ads.ad_name,
        ads.video_id,
        ads.product_id,
        advertisers.currency,
        advertisers.time_zone,
        stats.spend_amount,
        stats.impressions,
        stats.reach,
        stats.clicks,
        stats.conversions,
        stats.purchases,
        stats.attributed_gmv_amount,
        stats.video_plays,
        stats.video_watched_2s,
        stats.video_watched_6s,
        stats.likes,
        stats.comments,
        stats.shares,
        stats.follows,
        stats.loaded_at_utc
    from stats
    left join ads on stats.ad_id = ads.ad_id
    left join adgroups on ads.adgroup_id = adgroups.adgroup_id
    left join advertisers on stats.advertiser_id = advertisers.advertiser_id
    left join advertiser_shops on stats.advertiser_id = advertiser_shops.advertiser_id
)

select * from final
