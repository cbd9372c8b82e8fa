{#- Each advertiser-local day of ads figures cut into the shop-local days it overlaps, with the
    share of the advertiser day's hours that fall in each. Both days are turned into UTC
    intervals with real time zones (DST aware: a local day can last 23, 24 or 25 hours), so
    share = seconds of overlap ÷ seconds in the advertiser's day, and the shares of one
    advertiser day add up to 1. Amounts stay in the advertiser's currency here; the ad report
    (spend, attributed GMV, and the counts impressions, clicks, purchases, follows) and GMV Max
    (cost, gross revenue) are carried side by side. seconds_before_slice (the advertiser day's
    seconds on earlier shop days) lets counts be cut into whole numbers that add up exactly
    (macro apportioned_count). -#}

with advertisers as (
    select advertiser_id, currency, time_zone from {{ ref('stg_tiktok_ads__advertisers') }}
),

shops as (
    select shop_id, currency, time_zone from {{ ref('dim_shops') }}
),

ad_report as (
    select
        shop_id,
        advertiser_id,
        stat_date,
        sum(spend_amount) as spend_amount,
        sum(attributed_gmv_amount) as attributed_gmv_amount,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(purchases) as purchases,
        sum(follows) as follows,
        cast(0 as decimal(18, 2)) as gmv_max_cost_amount,
        cast(0 as decimal(18, 2)) as gmv_max_gross_revenue_amount
    from {{ ref('fct_ads_daily') }}
    where shop_id is not null  -- ads for no known shop have no shop day (kept in kpi_ads_daily)
    group by shop_id, advertiser_id, stat_date
),

gmv_max as (
    -- GMV Max campaigns report per store (the shop) through their own endpoint; TikTok does
    -- not repeat them in the integrated ad report, so adding them does not double count.
    select
        store_id as shop_id,
        advertiser_id,
        stat_date,
        cast(0 as decimal(18, 2)) as spend_amount,
        cast(0 as decimal(18, 2)) as attributed_gmv_amount,
        cast(0 as bigint) as impressions,
        cast(0 as bigint) as clicks,
        cast(0 as bigint) as purchases,
        cast(0 as bigint) as follows,
        sum(cost_amount) as gmv_max_cost_amount,
        sum(gross_revenue_amount) as gmv_max_gross_revenue_amount
    from {{ ref('stg_tiktok_ads__gmv_max_daily_stats') }}
    group by store_id, advertiser_id, stat_date
),

advertiser_days as (
    select
        shop_id,
        advertiser_id,
        stat_date,
        sum(coalesce(spend_amount, 0)) as spend_amount,
        sum(coalesce(attributed_gmv_amount, 0)) as attributed_gmv_amount,
        sum(coalesce(impressions, 0)) as impressions,
        sum(coalesce(clicks, 0)) as clicks,
        sum(coalesce(purchases, 0)) as purchases,
        sum(coalesce(follows, 0)) as follows,
        sum(coalesce(gmv_max_cost_amount, 0)) as gmv_max_cost_amount,
        sum(coalesce(gmv_max_gross_revenue_amount, 0)) as gmv_max_gross_revenue_amount
    from (
        select * from ad_report
        union all
        select * from gmv_max
    ) as both_reports
    group by shop_id, advertiser_id, stat_date
),

advertiser_windows as (
    select
        advertiser_days.*,
        advertisers.currency as advertiser_currency,
        advertisers.time_zone as advertiser_time_zone,
        shops.currency as shop_currency,
        shops.time_zone as shop_time_zone,
        {{ local_to_utc_timestamp('advertiser_days.stat_date', 'advertiser_time_zone') }} as advertiser_day_starts_utc,
        {{ local_to_utc_timestamp(dbt.dateadd('day', 1, 'advertiser_days.stat_date'), 'advertiser_time_zone') }}
            as advertiser_day_ends_utc
    from advertiser_days
    left join advertisers on advertiser_days.advertiser_id = advertisers.advertiser_id
    left join shops on advertiser_days.shop_id = shops.shop_id
),

candidate_days as (
    -- Any two UTC offsets are at most 26 hours apart, so a local day can only touch the shop's
    -- days from two before to two after the same date.
    select
        advertiser_windows.*,
        dim_dates.date_day as local_date,
        {{ local_to_utc_timestamp('dim_dates.date_day', 'advertiser_windows.shop_time_zone') }} as shop_day_starts_utc,
        {{ local_to_utc_timestamp(dbt.dateadd('day', 1, 'dim_dates.date_day'), 'advertiser_windows.shop_time_zone') }}
            as shop_day_ends_utc
    from advertiser_windows
    inner join {{ ref('dim_dates') }} as dim_dates
        on dim_dates.date_day between {{ dbt.dateadd('day', -2, 'advertiser_windows.stat_date') }}
        and {{ dbt.dateadd('day', 2, 'advertiser_windows.stat_date') }}
),

day_overlaps as (
    select
        *,
        {{ dbt.datediff('greatest(advertiser_day_starts_utc, shop_day_starts_utc)',
                        'least(advertiser_day_ends_utc, shop_day_ends_utc)', 'second') }} as overlap_seconds,
        {{ dbt.datediff('advertiser_day_starts_utc', 'advertiser_day_ends_utc', 'second') }} as advertiser_day_seconds
    from candidate_days
),

final as (
    select
        shop_id,
        advertiser_id,
        stat_date,
        local_date,
        advertiser_currency,
        advertiser_time_zone,
        shop_currency,
        shop_time_zone,
        cast(overlap_seconds as bigint) as overlap_seconds,
        cast(advertiser_day_seconds as bigint) as advertiser_day_seconds,
        cast(coalesce(sum(overlap_seconds) over (
            partition by shop_id, advertiser_id, stat_date
            order by local_date
            rows between unbounded preceding and 1 preceding
        ), 0) as bigint) as seconds_before_slice,
        {{ safe_ratio('overlap_seconds', 'advertiser_day_seconds', 12) }} as day_share,
        spend_amount,
        attributed_gmv_amount,
        impressions,
        clicks,
        purchases,
        follows,
        gmv_max_cost_amount,
        gmv_max_gross_revenue_amount
    from day_overlaps
    where overlap_seconds > 0
)

select * from final
