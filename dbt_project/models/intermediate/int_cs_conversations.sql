{#- One row per customer-service conversation, dated on the shop-local day the buyer first
    wrote (the moment response time is measured from; the creation time when the buyer never
    wrote), with its first-responding agent and the response-window flags from
    macros/definitions/service_formulas.sql. -#}

with conversations as (
    select * from {{ ref('stg_tiktok_shop__cs_conversations') }}
),

shop_time_zones as (
    select shops.shop_id, markets.time_zone
    from {{ ref('stg_tiktok_shop__shops') }} as shops
    inner join {{ ref('markets') }} as markets on shops.market = markets.market
),

final as (
    select
        conversations.conversation_id,
        conversations.shop_id,
        {{ utc_to_local_date('coalesce(conversations.first_buyer_message_at_utc, conversations.created_at_utc)',
                             'shop_time_zones.time_zone') }} as local_date,
        conversations.agent_id,
        conversations.first_buyer_message_at_utc is not null as is_asked,
        conversations.response_seconds is not null as is_answered,
        conversations.response_seconds,
        {% for hours in cs_response_windows_hours() -%}
        {{ answered_within('conversations.response_seconds', hours) }} as is_answered_within_{{ hours }}h,
        {% endfor -%}
        conversations.is_complaint
    from conversations
    left join shop_time_zones on conversations.shop_id = shop_time_zones.shop_id
)

select * from final
