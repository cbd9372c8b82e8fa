{#- One row per ad group from the newest snapshot: which shop (`store_id`) it sells for. -#}

with pages as (
    select fetched_at, body from {{ source('tiktok_ads', 'adgroups') }}
),

rows as (
    {{ json_array_rows('pages', 'body', '$.data.list', 'adgroup_json', ['fetched_at']) }}
),

keyed as (
    select {{ json_text('adgroup_json', '$.adgroup_id') }} as adgroup_id, fetched_at, adgroup_json
    from rows
),

latest as (
    {{ latest_row_per_key('keyed', ['adgroup_id'], 'fetched_at desc', ['adgroup_id', 'fetched_at', 'adgroup_json']) }}
)

select
    adgroup_id,
    {{ json_text('adgroup_json', '$.campaign_id') }} as campaign_id,
    {{ json_text('adgroup_json', '$.advertiser_id') }} as advertiser_id,
    {{ json_text('adgroup_json', '$.adgroup_name') }} as adgroup_name,
    {{ json_text('adgroup_json', '$.store_id') }} as store_id,
    {{ json_text('adgroup_json', '$.optimization_goal') }} as optimization_goal,
    {{ json_text('adgroup_json', '$.operation_status') }} as operation_status,
    fetched_at as loaded_at_utc
from latest
