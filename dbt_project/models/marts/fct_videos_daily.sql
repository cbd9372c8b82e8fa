{#- One row per video and shop-local day the platform published: views, engagement, product
    clicks and the paid orders and GMV attributed to the video, in the shop currency and the
    reporting currency (that day's rate). `posts` is 1 on the video's posting day. -#}

select
    video_id,
    shop_id,
    local_date,
    posted_by_type,
    creator_key,
    posts,
    views,
    likes,
    comments,
    shares,
    product_clicks,
    attributed_orders,
    attributed_units,
    currency,
    attributed_gmv_amount,
    reporting_currency,
    attributed_gmv_amount_reporting
from {{ ref('int_content_video_days') }}
