{#- The shop's sales funnel per shop × shop-local day × channel: impressions → clicks (or
    product page views) → add-to-cart → paid orders → repeat orders, with each step's rate
    (macros in macros/definitions/funnel_formulas.sql, recomputed from the sums). A step is
    null where the channel's data does not have it. Channels:
    - all: TikTok's shop analytics of the day (product impressions, product page views,
      add-to-cart) and the paid orders of fct_orders (the paid basis of kpi_shop_daily);
      repeat orders are paid orders of buyers with an earlier paid order in the same shop;
    - video: every shoppable video of the shop (own account and creators): views, clicks to
      the product and the paid orders the platform attributes to the videos that day;
    - live: the shop's LIVE sessions by their local start day: viewers and attributed paid orders;
    - product_card: the remainder — paid orders not attributed to a video or a LIVE (no
      traffic of its own is reported);
    - ads: the shop's ads report (int_ads_by_shop_day): impressions, clicks and completed
      payments re-aligned from the advertiser's days to the shop-local day by hours of overlap,
      in whole numbers that keep each advertiser day's total (macro largest_remainder_part); the
      ads platform's own attribution, which overlaps the organic channels, so ads are not part
      of the all = video + live + product_card split.
    Content and shop analytics publish a day once it is over locally: until then those
    steps are null. Every shop × day of kpi_shop_daily has one row per channel. -#}

with shop_days as (
    select shop_id, local_date, market, orders_paid from {{ ref('kpi_shop_daily') }}
),

platform_view as (
    select shop_id, performance_date as local_date, product_impressions, product_page_views, add_to_cart_count
    from {{ ref('stg_tiktok_shop__shop_performance_days') }}
),

paid_orders as (
    select
        shop_id,
        paid_local_date as local_date,
        row_number() over (partition by shop_id, buyer_key order by paid_at_utc, order_id) as nth_paid_order
    from {{ ref('fct_orders') }}
    where counts_as_paid and buyer_key is not null
),

repeat_orders as (
    select shop_id, local_date, count(*) as repeat_orders
    from paid_orders
    where nth_paid_order > 1
    group by shop_id, local_date
),

videos as (
    select
        shop_id,
        local_date,
        sum(views) as views,
        sum(product_clicks) as product_clicks,
        sum(attributed_orders) as attributed_orders
    from {{ ref('fct_videos_daily') }}
    group by shop_id, local_date
),

lives as (
    select
        shop_id,
        local_date,
        sum(total_viewers) as viewers,
        sum(attributed_orders) as attributed_orders
    from {{ ref('fct_live_sessions') }}
    group by shop_id, local_date
),

ads as (
    select shop_id, local_date, ads_impressions, ads_clicks, ads_orders
    from {{ ref('int_ads_by_shop_day') }}
),

day_inputs as (
    select
        shop_days.shop_id,
        shop_days.local_date,
        shop_days.market,
        shop_days.orders_paid,
        platform_view.shop_id is not null as is_published,
        platform_view.product_impressions,
        platform_view.product_page_views,
        platform_view.add_to_cart_count,
        coalesce(repeat_orders.repeat_orders, 0) as repeat_orders,
        coalesce(videos.views, 0) as video_views,
        coalesce(videos.product_clicks, 0) as video_clicks,
        coalesce(videos.attributed_orders, 0) as video_orders,
        coalesce(lives.viewers, 0) as live_viewers,
        coalesce(lives.attributed_orders, 0) as live_orders,
        coalesce(ads.ads_impressions, 0) as ads_impressions,
        coalesce(ads.ads_clicks, 0) as ads_clicks,
        coalesce(ads.ads_orders, 0) as ads_orders
    from shop_days
    left join platform_view on shop_days.shop_id = platform_view.shop_id and shop_days.local_date = platform_view.local_date
    left join repeat_orders on shop_days.shop_id = repeat_orders.shop_id and shop_days.local_date = repeat_orders.local_date
    left join videos on shop_days.shop_id = videos.shop_id and shop_days.local_date = videos.local_date
    left join lives on shop_days.shop_id = lives.shop_id and shop_days.local_date = lives.local_date
    left join ads on shop_days.shop_id = ads.shop_id and shop_days.local_date = ads.local_date
),

channels as (
    select
        shop_id, local_date, market, 'all' as channel, 'shop_orders' as orders_attribution,
        product_impressions as impressions,
        product_page_views as clicks,
        add_to_cart_count as add_to_cart,
        orders_paid as orders,
        repeat_orders
    from day_inputs

    union all

    select
        shop_id, local_date, market, 'video', 'platform_attribution',
        case when is_published then video_views end,
        case when is_published then video_clicks end,
        null,
        case when is_published then video_orders end,
        null
    from day_inputs

    union all

    select
        shop_id, local_date, market, 'live', 'platform_attribution',
        live_viewers,
        null,
        null,
        live_orders,
        null
    from day_inputs

    union all

    select
        shop_id, local_date, market, 'product_card', 'remainder',
        null,
        null,
        null,
        case when is_published then orders_paid - video_orders - live_orders end,
        null
    from day_inputs

    union all

    select
        shop_id, local_date, market, 'ads', 'ads_attribution',
        ads_impressions,
        ads_clicks,
        null,
        ads_orders,
        null
    from day_inputs
),

final as (
    select
        shop_id,
        local_date,
        cast(channel as {{ dbt.type_string() }}) as channel,
        market,
        cast(orders_attribution as {{ dbt.type_string() }}) as orders_attribution,
        cast(impressions as bigint) as impressions,
        cast(clicks as bigint) as clicks,
        cast(add_to_cart as bigint) as add_to_cart,
        cast(orders as bigint) as orders,
        cast(repeat_orders as bigint) as repeat_orders,
        {{ funnel_click_rate('clicks', 'impressions') }} as click_rate,
        {{ funnel_add_to_cart_rate('add_to_cart', 'clicks') }} as add_to_cart_rate,
        {{ funnel_cart_conversion_rate('orders', 'add_to_cart') }} as cart_conversion_rate,
        {{ funnel_click_to_order_rate('orders', 'clicks') }} as click_to_order_rate,
        {{ funnel_repeat_order_rate('repeat_orders', 'orders') }} as repeat_order_rate
    from channels
)

select * from final
