{#- One row per creator seen selling for the shops. There is no seller-side creators endpoint:
    creators come embedded in affiliate order SKUs (id + handle); follower counts are not
    exposed there. -#}

with affiliate_orders as (
    select creator_id, creator_username, shop_id, updated_at_utc
    from {{ ref('stg_tiktok_shop__affiliate_orders') }}
    where creator_id is not null
),

latest as (
    {{ latest_row_per_key('affiliate_orders', ['creator_id'], 'updated_at_utc desc',
        ['creator_id', 'creator_username']) }}
),

counts as (
    select creator_id, count(distinct shop_id) as shops_sold_for, min(updated_at_utc) as first_seen_at_utc
    from affiliate_orders
    group by creator_id
)

select
    latest.creator_id,
    latest.creator_username,
    counts.shops_sold_for,
    counts.first_seen_at_utc
from latest
inner join counts on latest.creator_id = counts.creator_id
