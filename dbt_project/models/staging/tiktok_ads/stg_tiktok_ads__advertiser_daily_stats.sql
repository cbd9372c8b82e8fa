{#- One row per advertiser and advertiser-local day: the account's own totals from the newest
    fetch of that day (restated like the ad report). Not summed into any KPI: the ad-level
    report is the KPI source; these totals check it (marts.recon_daily). -#}

with latest as (
    {{ latest_ads_report_rows('advertiser_report_daily', ['advertiser_id']) }}
)

select
    advertiser_id,
    stat_date,
    {{ to_money(ads_metric('row_json', 'spend')) }} as spend_amount,
    cast({{ ads_metric('row_json', 'impressions') }} as bigint) as impressions,
    cast({{ ads_metric('row_json', 'clicks') }} as bigint) as clicks,
    fetched_at as loaded_at_utc,
    request_id as loaded_from_request_id
from latest
