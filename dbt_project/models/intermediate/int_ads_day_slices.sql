{#- Each advertiser-local day of ads figures cut into the shop-local days it overlaps. Both days
    are turned into UTC intervals with real time zones (DST aware: a local day can last 23, 24
    or 25 hours), and every figure is cut by seconds of overlap ÷ seconds the figures cover, by
    largest remainders (macro largest_remainder_part): money into cents, counts into whole
    numbers, the parts of one advertiser day adding up to it exactly. The figures cover the
    advertiser day up to the moment they were fetched (or the pipeline's pinned now, if
    earlier): a day not over yet is cut over its elapsed hours only, so its spend never lands
    on a shop day that has not begun. Amounts stay in the advertiser's currency here; the ad
    report (spend, attributed GMV, impressions, clicks, purchases, follows) and GMV Max (cost,
    gross revenue) are carried side by side. -#}

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
        local_date as stat_date,
        sum(spend_amount) as spend_amount,
        sum(attributed_gmv_amount) as attributed_gmv_amount,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(purchases) as purchases,
        sum(follows) as follows,
        cast(0 as decimal(18, 2)) as gmv_max_cost_amount,
        cast(0 as decimal(18, 2)) as gmv_max_gross_revenue_amount,
        max(loaded_at_utc) as fetched_at_utc
    from {{ ref('fct_ads_daily') }}
    where shop_id is not null  -- ads for no known shop have no shop day (kept in kpi_ads_daily)
    group by shop_id, advertiser_id, local_date
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
        sum(gross_revenue_amount) as gmv_max_gross_revenue_amount,
        max(loaded_at_utc) as fetched_at_utc
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
        sum(coalesce(gmv_max_gross_revenue_amount, 0)) as gmv_max_gross_revenue_amount,
        -- The moment the figures describe: the newest fetch, or the pinned now if earlier.
        least(coalesce(max(fetched_at_utc), {{ pipeline_now() }}), {{ pipeline_now() }}) as reported_at_utc
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
        dim_dates.local_date as local_date,
        {{ local_to_utc_timestamp('dim_dates.local_date', 'advertiser_windows.shop_time_zone') }} as shop_day_starts_utc,
        {{ local_to_utc_timestamp(dbt.dateadd('day', 1, 'dim_dates.local_date'), 'advertiser_windows.shop_time_zone') }}
            as shop_day_ends_utc
    from advertiser_windows
    inner join {{ ref('dim_dates') }} as dim_dates
        on dim_dates.local_date between {{ dbt.dateadd('day', -2, 'advertiser_windows.stat_date') }}
        and {{ dbt.dateadd('day', 2, 'advertiser_windows.stat_date') }}
),

day_overlaps as (
    select
        *,
        {{ dbt.datediff('greatest(advertiser_day_starts_utc, shop_day_starts_utc)',
                        'least(covered_until_utc, shop_day_ends_utc)', 'second') }} as overlap_seconds,
        {{ dbt.datediff('advertiser_day_starts_utc', 'covered_until_utc', 'second') }} as advertiser_day_seconds
    from (
        select
            candidate_days.*,
            -- A day not over yet is covered up to the moment reported (a day that had not even
            -- begun then cannot have figures; it would keep its whole length).
            case
                when reported_at_utc > advertiser_day_starts_utc and reported_at_utc < advertiser_day_ends_utc
                    then reported_at_utc
                else advertiser_day_ends_utc
            end as covered_until_utc
        from candidate_days
    ) as covered
),

slices as (
    select * from day_overlaps
    where overlap_seconds > 0
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
        {{ safe_ratio('overlap_seconds', 'advertiser_day_seconds', 12) }} as day_share,
        {%- for amount in ['spend_amount', 'attributed_gmv_amount', 'gmv_max_cost_amount', 'gmv_max_gross_revenue_amount'] %}
        {{ largest_remainder_part(amount, 'overlap_seconds', 'advertiser_day_seconds',
                                  'shop_id, advertiser_id, stat_date', 'local_date', scale=2) }} as {{ amount }},
        {%- endfor %}
        {%- for count in ['impressions', 'clicks', 'purchases', 'follows'] %}
        {{ largest_remainder_part(count, 'overlap_seconds', 'advertiser_day_seconds',
                                  'shop_id, advertiser_id, stat_date', 'local_date') }} as {{ count }}{{ ',' if not loop.last }}
        {%- endfor %}
    from slices
)

select * from final
