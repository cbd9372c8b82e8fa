{#- Every video x shop-local day the platform published, with the video's owner and its
    attributed GMV converted at that day's rate (last known rate carried forward). The day is
    the shop-local day the analytics page was asked for. -#}

with days as (
    select * from {{ ref('stg_tiktok_shop__video_performance_days') }}
),

videos as (
    select video_id, shop_id, currency as shop_currency, posted_by_type, creator_key, posted_local_date
    from {{ ref('int_content_videos') }}
),

rates as (
    select local_date as rate_day, currency, units_per_eur, reporting_units_per_eur, reporting_per_unit
    from {{ ref('fct_fx_rates_daily') }}
),

final as (
    select
        days.video_id,
        coalesce(days.shop_id, videos.shop_id) as shop_id,
        days.performance_date as local_date,
        videos.posted_by_type,
        videos.creator_key,
        cast(case when days.performance_date = videos.posted_local_date then 1 else 0 end as integer) as posts,
        days.views,
        days.likes,
        days.comments,
        days.shares,
        days.product_clicks,
        days.attributed_orders,
        days.units_sold as attributed_units,
        coalesce(days.currency, videos.shop_currency) as currency,
        days.gmv_amount as attributed_gmv_amount,
        '{{ var("reporting_currency") }}' as reporting_currency,
        {{ in_reporting_currency('days.gmv_amount', 'rates.units_per_eur', 'rates.reporting_units_per_eur', 'coalesce(days.currency, videos.shop_currency)') }} as attributed_gmv_amount_reporting
    from days
    left join videos on days.video_id = videos.video_id
    left join rates
        on rates.rate_day = days.performance_date
        and rates.currency = coalesce(days.currency, videos.shop_currency)
)

select * from final
