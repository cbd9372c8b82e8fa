{#- One row per advertiser from the newest advertiser/info fetch: the currency and time zone
    every report figure of that advertiser is stated in. -#}

with pages as (
    select fetched_at, body from {{ source('tiktok_ads', 'advertisers') }}
),

rows as (
    {{ json_array_rows('pages', 'body', '$.data.list', 'advertiser_json', ['fetched_at']) }}
),

keyed as (
    select
        {{ json_text('advertiser_json', '$.advertiser_id') }} as advertiser_id,
        fetched_at,
        advertiser_json
    from rows
),

latest as (
    {{ latest_row_per_key('keyed', ['advertiser_id'], 'fetched_at desc', ['advertiser_id', 'fetched_at', 'advertiser_json']) }}
)

select
    advertiser_id,
    {{ json_text('advertiser_json', '$.name') }} as advertiser_name,
    {{ json_text('advertiser_json', '$.currency') }} as currency,
    {{ json_text('advertiser_json', '$.timezone') }} as time_zone,
    {{ json_text('advertiser_json', '$.country') }} as country,
    {{ json_text('advertiser_json', '$.status') }} as advertiser_status,
    fetched_at as loaded_at_utc
from latest
