{#- One row per customer-service conversation (newest listed version) with its first
    response. The definition, written only here: the first BUYER message, then the first
    CUSTOMER_SERVICE message at or after it. System notices (auto-replies, "buyer entered
    from the order page") and buyer follow-ups never count as a response; unanswered
    conversations have no response time. No buyer identity (participants stay in raw). -#}

with list_pages as (
    select shop_id, fetched_at, body
    from {{ source('tiktok_shop_service', 'cs_conversations') }}
    where endpoint not like '%/messages'
),

conversation_rows as (
    {{ json_array_rows('list_pages', 'body', '$.data.conversations', 'conversation_json',
                       ['shop_id', 'fetched_at']) }}
),

keyed as (
    select
        {{ json_text('conversation_json', '$.id') }} as conversation_id,
        shop_id,
        cast({{ json_text('conversation_json', '$.latest_message.create_time') }} as bigint) as activity_time,
        cast({{ json_text('conversation_json', '$.create_time') }} as bigint) as create_time,
        coalesce(cast({{ json_text('conversation_json', '$.is_complaint') }} as boolean), false) as is_complaint,
        fetched_at
    from conversation_rows
),

latest as (
    {{ latest_row_per_key('keyed', ['conversation_id'], 'activity_time desc, fetched_at desc',
        ['conversation_id', 'shop_id', 'activity_time', 'create_time', 'is_complaint', 'fetched_at']) }}
),

messages as (
    select conversation_id, sender_role, agent_id, sent_at_utc
    from {{ ref('stg_tiktok_shop__cs_messages') }}
),

first_buyer_messages as (
    select conversation_id, min(sent_at_utc) as first_buyer_message_at_utc
    from messages
    where sender_role = 'BUYER'
    group by conversation_id
),

agent_answers as (
    select
        messages.conversation_id,
        messages.agent_id,
        messages.sent_at_utc,
        row_number() over (
            partition by messages.conversation_id order by messages.sent_at_utc, messages.agent_id
        ) as answer_rank
    from messages
    inner join first_buyer_messages
        on messages.conversation_id = first_buyer_messages.conversation_id
    where messages.sender_role = 'CUSTOMER_SERVICE'
      and messages.sent_at_utc >= first_buyer_messages.first_buyer_message_at_utc
),

first_responses as (
    select
        first_buyer_messages.conversation_id,
        first_buyer_messages.first_buyer_message_at_utc,
        agent_answers.sent_at_utc as first_agent_response_at_utc,
        agent_answers.agent_id as first_response_agent_id
    from first_buyer_messages
    left join agent_answers
        on first_buyer_messages.conversation_id = agent_answers.conversation_id
       and agent_answers.answer_rank = 1
),

message_counts as (
    select conversation_id, count(*) as message_count
    from messages
    group by conversation_id
),

final as (
    select
        latest.conversation_id,
        latest.shop_id,
        first_responses.first_response_agent_id as agent_id,
        {{ epoch_seconds_to_utc('latest.create_time') }} as created_at_utc,
        {{ epoch_seconds_to_utc('latest.activity_time') }} as last_message_at_utc,
        first_responses.first_buyer_message_at_utc,
        first_responses.first_agent_response_at_utc,
        {{ dbt.datediff('first_responses.first_buyer_message_at_utc',
                        'first_responses.first_agent_response_at_utc', 'second') }} as response_seconds,
        latest.is_complaint,
        coalesce(message_counts.message_count, 0) as message_count,
        latest.fetched_at as loaded_at_utc
    from latest
    left join first_responses on latest.conversation_id = first_responses.conversation_id
    left join message_counts on latest.conversation_id = message_counts.conversation_id
)

select * from final
