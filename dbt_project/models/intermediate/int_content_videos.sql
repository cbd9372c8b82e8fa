{#- Every shoppable video once, with who posted it and its shop-local posting day and hour.
    Identity: a video's key is its TikTok video id. Who posted it is decided HERE only:
    - `creator` when an affiliate order names the video as its content (the order carries the
      creator's user id), or when the posting handle is a known creator's handle;
    - `shop_account` when the handle is the shop's own code (lower-cased). That the shop's
      account posts under its shop code is *unconfirmed* (the reference does not say): it is
      isolated in `is_shop_handle` below;
    - otherwise `creator` with an id not (yet) known: its creator key is `handle:<handle>`
      until an affiliate order reveals the id. -#}

with videos as (
    select * from {{ ref('stg_tiktok_shop__videos') }}
),

shops as (
    select shop_id, shop_code, market, currency, time_zone from {{ ref('dim_shops') }}
),

creators as (
    select creator_id, creator_username from {{ ref('stg_tiktok_shop__creators') }}
),

creator_by_content as (
    -- One attribution per order; a video is posted by one creator, so any of its orders names him.
    select content_id as video_id, min(creator_id) as creator_id
    from {{ ref('stg_tiktok_shop__affiliate_orders') }}
    where content_type = 'VIDEO'
    group by content_id
),

joined as (
    select
        videos.video_id,
        videos.shop_id,
        shops.market,
        shops.currency,
        shops.time_zone,
        videos.title,
        videos.posted_by_username,
        videos.product_id,
        videos.posted_at_utc,
        videos.duration_seconds,
        coalesce(creator_by_content.creator_id, creators.creator_id) as creator_id,
        lower(videos.posted_by_username) = lower(shops.shop_code) as is_shop_handle
    from videos
    left join shops on videos.shop_id = shops.shop_id
    left join creator_by_content on videos.video_id = creator_by_content.video_id
    left join creators on videos.posted_by_username = creators.creator_username
),

final as (
    select
        video_id,
        shop_id,
        market,
        currency,
        title,
        posted_by_username,
        case when creator_id is null and is_shop_handle then 'shop_account' else 'creator' end as posted_by_type,
        creator_id,
        case
            when creator_id is not null then creator_id
            when is_shop_handle then null
            else {{ dbt.concat(["'handle:'", 'lower(posted_by_username)']) }}
        end as creator_key,
        product_id,
        posted_at_utc,
        {{ utc_to_local_date('posted_at_utc', 'time_zone') }} as posted_local_date,
        {{ utc_to_local_hour('posted_at_utc', 'time_zone') }} as posted_local_hour,
        duration_seconds,
        {{ video_duration_bucket('duration_seconds') }} as duration_bucket
    from joined
)

select * from final
