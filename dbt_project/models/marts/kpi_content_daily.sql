{#- Content KPIs per shop-local day at two levels in one table (column `level`):
    - `video`: one row per video and day the platform published;
    - `creator`: one row per creator, currency and day, summing the creator's videos across
      the seller's shops (videos of the shops' own accounts have no creator and are only at
      the video level).
    Every rate is recomputed from the sums at its own level, never averaged. Watch time is
    not exposed by the video analytics endpoint, so `avg_watch_seconds_per_viewer` is null. -#}

with video_days as (
    select * from {{ ref('int_content_video_days') }}
),

shops as (
    select shop_id, market from {{ ref('dim_shops') }}
),

creators as (
    select creator_key, market from {{ ref('dim_creators') }}
),

video_level as (
    select
        'video' as level,
        video_days.video_id as content_key,
        video_days.local_date,
        video_days.video_id,
        video_days.creator_key,
        video_days.shop_id,
        shops.market,
        video_days.posted_by_type,
        video_days.currency,
        video_days.reporting_currency,
        video_days.posts,
        video_days.views,
        video_days.likes,
        video_days.comments,
        video_days.shares,
        video_days.product_clicks,
        cast(null as decimal(18, 1)) as total_watch_seconds,
        video_days.attributed_orders,
        video_days.attributed_units,
        video_days.attributed_gmv_amount,
        video_days.attributed_gmv_amount_reporting
    from video_days
    left join shops on video_days.shop_id = shops.shop_id
),

creator_level as (
    select
        'creator' as level,
        video_days.creator_key as content_key,
        video_days.local_date,
        cast(null as {{ dbt.type_string() }}) as video_id,
        video_days.creator_key,
        cast(null as {{ dbt.type_string() }}) as shop_id,
        max(creators.market) as market,
        'creator' as posted_by_type,
        video_days.currency,
        max(video_days.reporting_currency) as reporting_currency,
        sum(video_days.posts) as posts,
        sum(video_days.views) as views,
        sum(video_days.likes) as likes,
        sum(video_days.comments) as comments,
        sum(video_days.shares) as shares,
        sum(video_days.product_clicks) as product_clicks,
        cast(null as decimal(18, 1)) as total_watch_seconds,
        sum(video_days.attributed_orders) as attributed_orders,
        sum(video_days.attributed_units) as attributed_units,
        sum(video_days.attributed_gmv_amount) as attributed_gmv_amount,
        sum(video_days.attributed_gmv_amount_reporting) as attributed_gmv_amount_reporting
    from video_days
    left join creators on video_days.creator_key = creators.creator_key
    where video_days.posted_by_type = 'creator'
    group by video_days.creator_key, video_days.local_date, video_days.currency
),

both_levels as (
    select * from video_level
    union all
    select * from creator_level
),

final as (
    select
        level,
        content_key,
        local_date,
        video_id,
        creator_key,
        shop_id,
        market,
        posted_by_type,
        currency,
        reporting_currency,
        cast(posts as bigint) as posts,
        cast(views as bigint) as views,
        cast(likes as bigint) as likes,
        cast(comments as bigint) as comments,
        cast(shares as bigint) as shares,
        cast(product_clicks as bigint) as product_clicks,
        {{ avg_watch_seconds_per_viewer('total_watch_seconds', 'views') }} as avg_watch_seconds_per_viewer,
        {{ like_rate('likes', 'views') }} as like_rate,
        {{ comment_rate('comments', 'views') }} as comment_rate,
        {{ share_rate('shares', 'views') }} as share_rate,
        {{ click_to_shop_rate('product_clicks', 'views') }} as click_to_shop_rate,
        cast(attributed_orders as bigint) as attributed_orders,
        cast(attributed_units as bigint) as attributed_units,
        {{ to_money('attributed_gmv_amount') }} as attributed_gmv_amount,
        {{ to_money('attributed_gmv_amount_reporting') }} as attributed_gmv_amount_reporting
    from both_levels
)

select * from final
