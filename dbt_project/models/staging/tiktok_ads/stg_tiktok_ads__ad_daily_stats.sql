{#- One row per ad and advertiser-local day, from the newest fetch of that day: recent days
    are restated as conversions arrive, and every run re-pulls them. Metric strings become
    numbers; "-" (no value) becomes null, never zero. -#}

with latest as (
    {{ latest_ads_report_rows('ad_report_daily', ['ad_id']) }}
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
