{#- One row per LIVE session: shop, host, start and end (UTC and shop-local start day and
    hour) and time on air. -#}

select
    live_id,
    shop_id,
    title,
    host_username,
    started_at_utc,
    ended_at_utc,
    started_local_date,
    started_local_hour,
    duration_seconds
from {{ ref('int_content_live_sessions') }}
