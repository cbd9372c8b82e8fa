{#- Ads creatives (ads) ranked per ISO week (Monday start, advertiser-local days) across all the
    seller's ad accounts: the ads half of the "make a hit repeatable" analysis (kpi_top_content
    ranks the shop's videos, which carry no spend). Money is compared in the reporting
    currency, each day converted at its own rate (kpi_ads_daily's ad rows).
    - `gmv_rank`: by attributed GMV; a week with a day lacking a rate has no complete amount
      and ranks last; ties share a rank.
    - `roas_rank`: by the week's ROAS = attributed GMV ÷ spend (ratio of sums, macro roas);
      null ROAS (no spend) ranks last.
    - `is_top_decile`: macro is_top_decile, as for videos.
    Features beside the figures: the ad's video, product, campaign, ad group and shop. -#}

with ad_days as (
    select * from {{ ref('kpi_ads_daily') }}
    where level = 'ad'
),

ads as (
    select ad_id, ad_name, video_id, product_id from {{ ref('stg_tiktok_ads__ads') }}
),

weekly as (
    select
        ad_id,
        cast({{ dbt.date_trunc('week', 'local_date') }} as date) as week_start,
        max(advertiser_id) as advertiser_id,
        max(campaign_id) as campaign_id,
        max(adgroup_id) as adgroup_id,
        max(shop_id) as shop_id,
        max(currency) as currency,
        max(reporting_currency) as reporting_currency,
        sum(spend_amount) as spend_amount,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(orders) as orders,
        sum(attributed_gmv_amount) as attributed_gmv_amount,
        -- a day without a rate leaves the week without a complete reporting amount
        case when count(spend_amount_reporting) = count(*) then sum(spend_amount_reporting) end
            as spend_amount_reporting,
        case when count(attributed_gmv_amount_reporting) = count(*) then sum(attributed_gmv_amount_reporting) end
            as attributed_gmv_amount_reporting
    from ad_days
    group by ad_id, cast({{ dbt.date_trunc('week', 'local_date') }} as date)
),

ranked as (
    select
        weekly.*,
        {{ roas('weekly.attributed_gmv_amount_reporting', 'weekly.spend_amount_reporting') }} as roas,
        {{ rank_in_week('weekly.attributed_gmv_amount_reporting', 'weekly.week_start') }} as gmv_rank,
        count(*) over (partition by weekly.week_start) as creatives_in_week
    from weekly
),

final as (
    select
        ranked.ad_id,
        ranked.week_start,
        {{ iso_year_of_week('ranked.week_start') }} as iso_year,
        {{ iso_week_of_week('ranked.week_start') }} as iso_week,
        ranked.advertiser_id,
        ranked.campaign_id,
        ranked.adgroup_id,
        ranked.shop_id,
        ranked.currency,
        ranked.reporting_currency,
        {{ to_money('ranked.spend_amount') }} as spend_amount,
        {{ to_money('ranked.spend_amount_reporting') }} as spend_amount_reporting,
        cast(ranked.impressions as bigint) as impressions,
        cast(ranked.clicks as bigint) as clicks,
        cast(ranked.orders as bigint) as orders,
        {{ to_money('ranked.attributed_gmv_amount') }} as attributed_gmv_amount,
        {{ to_money('ranked.attributed_gmv_amount_reporting') }} as attributed_gmv_amount_reporting,
        ranked.roas,
        cast(ranked.gmv_rank as bigint) as gmv_rank,
        cast({{ rank_in_week('ranked.roas', 'ranked.week_start') }} as bigint) as roas_rank,
        cast(ranked.creatives_in_week as bigint) as creatives_in_week,
        {{ is_top_decile('ranked.gmv_rank', 'ranked.creatives_in_week', 'ranked.attributed_gmv_amount_reporting') }} as is_top_decile,
        ads.ad_name,
        ads.video_id,
        ads.product_id
    from ranked
    left join ads on ranked.ad_id = ads.ad_id
)

select * from final
