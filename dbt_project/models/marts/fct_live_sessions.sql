{#- One row per LIVE session: audience and the paid orders and GMV the platform attributes to
    it, in the shop currency and the reporting currency (rate of the local start day). -#}

select
    live_id,
    shop_id,
    host_username,
    started_local_date as local_date,
    duration_seconds,
    peak_viewers,
    total_viewers,
    total_watch_seconds,
    attributed_orders,
    buyers,
    units_sold,
    currency,
    gmv_amount,
    reporting_currency,
    gmv_amount_reporting
from {{ ref('int_content_live_sessions') }}
