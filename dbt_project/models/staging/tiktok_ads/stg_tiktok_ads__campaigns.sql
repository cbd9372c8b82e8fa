{#- One row per campaign from the newest snapshot. `budget` is in the advertiser's currency
    (the API sends it as text or a number; cast to DECIMAL, never float); entity times are
    written by the API as `YYYY-MM-DD HH:MM:SS` (UTC in the sandbox; the time zone of the real
    API's entity times is unconfirmed). -#}

with pages as (
    select fetched_at, body from {{ source('tiktok_ads', 'campaigns') }}
),

rows as (
    {{ json_array_rows('pages', 'body', '$.data.list', 'campaign_json', ['fetched_at']) }}
),

keyed as (
    select {{ json_text('campaign_json', '$.campaign_id') }} as campaign_id, fetched_at, campaign_json
    from rows
),

latest as (
    {{ latest_row_per_key('keyed', ['campaign_id'], 'fetched_at desc', ['campaign_id', 'fetched_at', 'campaign_json']) }}
)

select
    campaign_id,
    {{ json_text('campaign_json', '$.advertiser_id') }} as advertiser_id,
    {{ json_text('campaign_json', '$.campaign_name') }} as campaign_name,
    {{ json_text('campaign_json', '$.campaign_type') }} as campaign_type,
    {{ json_text('campaign_json', '$.objective_type') }} as objective_type,
    {{ json_text('campaign_json', '$.operation_status') }} as operation_status,
    {{ json_text('campaign_json', '$.secondary_status') }} as secondary_status,
    {{ to_money(json_text('campaign_json', '$.budget')) }} as budget_amount,
    {{ json_text('campaign_json', '$.budget_mode') }} as budget_mode,
    cast({{ json_text('campaign_json', '$.create_time') }} as timestamp) as created_at,
    cast({{ json_text('campaign_json', '$.modify_time') }} as timestamp) as modified_at,
    fetched_at as loaded_at_utc
from latest
