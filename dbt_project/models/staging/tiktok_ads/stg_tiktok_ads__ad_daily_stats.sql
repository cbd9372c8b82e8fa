{#- One row per ad and advertiser-local day, from the newest fetch of that day: recent days
    are restated as conversions arrive, and every run re-pulls them. Metric strings become
    numbers; "-" (no value) becomes null, never zero. -#}

with pages as (
    select shop_id as advertiser_id, fetched_at, request_id, body
    from {{ source('tiktok_ads', 'ad_report_daily') }}
),

rows as (
    {{ json_array_rows('pages', 'body', '$.data.list', 'row_json', ['advertiser_id', 'fetched_at', 'request_id']) }}
),

keyed as (
    select
        {{ json_text('row_json', '$.dimensions.ad_id') }} as ad_id,
        cast(substr({{ json_text('row_json', '$.dimensions.stat_time_day') }}, 1, 10) as date) as stat_date,
        advertiser_id,
        fetched_at,
        request_id,
        row_json
    from rows
),

latest as (
    {{ latest_row_per_key('keyed', ['ad_id', 'stat_date'], 'fetched_at desc',
                          ['ad_id', 'stat_date', 'advertiser_id', 'fetched_at', 'request_id', 'row_json']) }}
)

select
    ad_id,
    stat_date,
    advertiser_id,
    {{ to_money(ads_metric('row_json', 'spend')) }} as spend_amount,
    cast({{ ads_metric('row_json', 'impressions') }} as bigint) as impressions,
    cast({{ ads_metric('row_json', 'reach') }} as bigint) as reach,
    cast({{ ads_metric('row_json', 'clicks') }} as bigint) as clicks,
    cast({{ ads_metric('row_json', 'conversion') }} as bigint) as conversions,
    cast({{ ads_metric('row_json', 'complete_payment') }} as bigint) as purchases,
    {{ to_money(ads_metric('row_json', 'total_onsite_shopping_value')) }} as attributed_gmv_amount,
    cast({{ ads_metric('row_json', 'video_play_actions') }} as bigint) as video_plays,
    cast({{ ads_metric('row_json', 'video_watched_2s') }} as bigint) as video_watched_2s,
    cast({{ ads_metric('row_json', 'video_watched_6s') }} as bigint) as video_watched_6s,
    cast({{ ads_metric('row_json', 'likes') }} as bigint) as likes,
    cast({{ ads_metric('row_json', 'comments') }} as bigint) as comments,
    cast({{ ads_metric('row_json', 'shares') }} as bigint) as shares,
    cast({{ ads_metric('row_json', 'follows') }} as bigint) as follows,
    fetched_at as loaded_at_utc,
    request_id as loaded_from_request_id
from latest
