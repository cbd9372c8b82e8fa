{#- One row per creator: those known by user id (from affiliate orders) and those only seen by
    handle on videos (key `handle:<handle>` until an order reveals the id). Market: the market
    of the shop the creator sold for most recently (of the shop a handle-only creator's newest
    video promotes). Commission rate: on the creator's newest affiliate order, null when the
    creator has none. -#}

with affiliate_orders as (
    select
        affiliate_orders.creator_id,
        affiliate_orders.commission_rate,
        affiliate_orders.updated_at_utc,
        affiliate_orders.order_id,
        shops.market
    from {{ ref('stg_tiktok_shop__affiliate_orders') }} as affiliate_orders
    left join {{ ref('dim_shops') }} as shops on affiliate_orders.shop_id = shops.shop_id
),

newest_order as (
    {{ latest_row_per_key('affiliate_orders', ['creator_id'], 'updated_at_utc desc, order_id desc',
        ['creator_id', 'commission_rate', 'market']) }}
),

known as (
    select
        creators.creator_id as creator_key,
        creators.creator_id,
        creators.creator_username,
        newest_order.market,
        newest_order.commission_rate,
        true as is_creator_id_known
    from {{ ref('stg_tiktok_shop__creators') }} as creators
    left join newest_order on creators.creator_id = newest_order.creator_id
),

handle_only_videos as (
    select creator_key, posted_by_username, market, posted_at_utc, video_id
    from {{ ref('int_content_videos') }}
    where posted_by_type = 'creator' and creator_id is null
),

handle_only as (
    {{ latest_row_per_key('handle_only_videos', ['creator_key'], 'posted_at_utc desc, video_id desc',
        ['creator_key', 'posted_by_username', 'market']) }}
),

final as (
    select creator_key, creator_id, creator_username, market, commission_rate, is_creator_id_known
    from known
    union all
    select
        creator_key,
        cast(null as {{ dbt.type_string() }}) as creator_id,
        posted_by_username as creator_username,
        market,
        cast(null as decimal(9, 4)) as commission_rate,
        false as is_creator_id_known
    from handle_only
)

select * from final
