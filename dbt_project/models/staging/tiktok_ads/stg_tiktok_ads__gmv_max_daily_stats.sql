{#- One row per GMV Max campaign, store and advertiser-local day from the newest fetch (recent
    days are restated and re-pulled every run). The store is the one the request asked for
    (one store per call). Amounts are in the advertiser's currency; "-" is null, never zero.
    The metric names are unconfirmed: they are read here and in connectors/tiktok_ads.py only. -#}

with pages as (
    select
        shop_id as advertiser_id,
        {{ json_text(json_text('request_query', '$.store_ids'), '$[0]') }} as requested_store_id,
        fetched_at,
        request_id,
        body
    from {{ source('tiktok_ads', 'gmv_max_report_daily') }}
),

rows as (
    {{ json_array_rows('pages', 'body', '$.data.list', 'row_json', ['advertiser_id', 'requested_store_id', 'fetched_at', 'request_id']) }}
),

keyed as (
    select
        coalesce({{ json_text('row_json', '$.dimensions.store_id') }}, requested_store_id) as store_id,
        {{ json_text('row_json', '$.dimensions.campaign_id') }} as campaign_id,
        cast(substr({{ json_text('row_json', '$.dimensions.stat_time_day') }}, 1, 10) as date) as stat_date,
        advertiser_id,
        fetched_at,
        request_id,
        row_json
    from rows
),

latest as (
    {{ latest_row_per_key('keyed', ['store_id', 'campaign_id', 'stat_date'], 'fetched_at desc',
                          ['store_id', 'campaign_id', 'stat_date', 'advertiser_id', 'fetched_at', 'request_id', 'row_json']) }}
)

select
    advertiser_id,
    store_id,
    campaign_id,
    stat_date,
    {{ to_money(ads_metric('row_json', 'cost')) }} as cost_amount,
    cast({{ ads_metric('row_json', 'orders') }} as bigint) as orders,
    {{ to_money(ads_metric('row_json', 'gross_revenue')) }} as gross_revenue_amount,
    cast({{ ads_metric('row_json', 'roi') }} as decimal(18, 4)) as reported_roi,
    fetched_at as loaded_at_utc,
    request_id as loaded_from_request_id
from latest
