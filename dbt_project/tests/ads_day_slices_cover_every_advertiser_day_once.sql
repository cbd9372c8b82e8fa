{#- Re-aligning ads days to shop days must neither drop nor duplicate money: every advertiser
    day of the ad report and of GMV Max is cut into shop-day slices whose shares add up to 1
    (a shop with no known time zone, for instance, would leave its days unsliced). -#}
{{ config(meta={'dagster': {'ref': {'name': 'int_ads_day_slices'}}}) }}

with advertiser_days as (
    -- Ads that sell for no known shop have no shop day to go to (a warning check counts them).
    select distinct shop_id, advertiser_id, stat_date from {{ ref('fct_ads_daily') }}
    where shop_id is not null
    union
    select distinct store_id, advertiser_id, stat_date from {{ ref('stg_tiktok_ads__gmv_max_daily_stats') }}
),

shares as (
    select shop_id, advertiser_id, stat_date, sum(day_share) as total_share
    from {{ ref('int_ads_day_slices') }}
    group by shop_id, advertiser_id, stat_date
)

select advertiser_days.*, shares.total_share
from advertiser_days
left join shares
    on advertiser_days.shop_id = shares.shop_id
    and advertiser_days.advertiser_id = shares.advertiser_id
    and advertiser_days.stat_date = shares.stat_date
where shares.total_share is null
    or abs(shares.total_share - 1) > 0.000000001
