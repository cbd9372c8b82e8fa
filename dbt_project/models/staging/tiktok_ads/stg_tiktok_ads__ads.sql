{#- One row per ad from the newest snapshot: its ad group, campaign, video and the product it
    promotes (the first of `item_group_ids`, when the ad names one). -#}

with pages as (
    select fetched_at, body from {{ source('tiktok_ads', 'ads') }}
),

rows as (
    {{ json_array_rows('pages', 'body', '$.data.list', 'ad_json', ['fetched_at']) }}
),

keyed as (
    select {{ json_text('ad_json', '$.ad_id') }} as ad_id, fetched_at, ad_json
    from rows
),

latest as (
    {{ latest_row_per_key('keyed', ['ad_id'], 'fetched_at desc', ['ad_id', 'fetched_at', 'ad_json']) }}
)

select
    ad_id,
    {{ json_text('ad_json', '$.adgroup_id') }} as adgroup_id,
    {{ json_text('ad_json', '$.campaign_id') }} as campaign_id,
    {{ json_text('ad_json', '$.advertiser_id') }} as advertiser_id,
    {{ json_text('ad_json', '$.ad_name') }} as ad_name,
    {{ json_text('ad_json', '$.video_id') }} as video_id,
    {{ json_text('ad_json', '$.tiktok_item_id') }} as tiktok_item_id,
    {{ json_text('ad_json', '$.item_group_ids[0]') }} as product_id,
    {{ json_text('ad_json', '$.operation_status') }} as operation_status,
    fetched_at as loaded_at_utc
from latest
