{#- One row per customer-service message: who sent it (role) and when. No message text and
    no buyer identity: the buyer's IM id, nickname and anything typed stay in raw. The
    conversation id comes from the messages path, the payload does not repeat it. -#}

with message_pages as (
    select shop_id, endpoint, fetched_at, request_id, body
    from {{ source('tiktok_shop_service', 'cs_conversations') }}
    where endpoint like '%/messages'
),

message_rows as (
    {{ json_array_rows('message_pages', 'body', '$.data.messages', 'message_json',
                       ['shop_id', 'endpoint', 'fetched_at', 'request_id']) }}
),

typed as (
    select
        {{ json_text('message_json', '$.id') }} as message_id,
        {{ dbt.split_part('endpoint', "'/'", 5) }} as conversation_id,
        shop_id,
        {{ json_text('message_json', '$.sender.role') }} as sender_role,
        case
            when {{ json_text('message_json', '$.sender.role') }} = 'CUSTOMER_SERVICE'
                then {{ json_text('message_json', '$.sender.im_user_id') }}
        end as agent_id,
        {{ json_text('message_json', '$.type') }} as message_type,
        {{ epoch_seconds_to_utc(json_text('message_json', '$.create_time')) }} as sent_at_utc,
        fetched_at as loaded_at_utc,
        request_id as loaded_from_request_id
    from message_rows
),

latest as (
    {{ latest_row_per_key('typed', ['message_id'], 'loaded_at_utc desc',
        ['message_id', 'conversation_id', 'shop_id', 'sender_role', 'agent_id', 'message_type',
         'sent_at_utc', 'loaded_at_utc', 'loaded_from_request_id']) }}
)

select * from latest
