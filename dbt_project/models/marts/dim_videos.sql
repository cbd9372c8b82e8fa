{#- One row per shoppable video: its shop, who posted it (shop account or creator), the
    product it promotes, when it was posted (UTC and shop-local day and hour) and its length. -#}

select
    video_id,
    shop_id,
    title,
    posted_by_username,
    posted_by_type,
    creator_key,
    product_id,
    posted_at_utc,
    posted_local_date,
    posted_local_hour,
    duration_seconds,
    duration_bucket
from {{ ref('int_content_videos') }}
