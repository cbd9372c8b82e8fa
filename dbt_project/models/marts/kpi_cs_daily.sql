{#- Customer-service KPIs on two levels in one table (column `level`):
    - `shop`: shop × shop-local day — every conversation the buyer started that day (agent_id
      null), plus the reviews written that day;
    - `agent`: shop × day × first-responding agent — the conversations that agent answered
      first, so its response rates measure speed, not coverage (unanswered conversations have
      no agent and count only on the shop row); reviews are not attributable to an agent (null).
    Percentiles and rates are recomputed from the conversations at each level, never averaged.
    Rows exist for shop-days with at least one conversation or review. -#}

with conversations as (
    select * from {{ ref('int_cs_conversations') }}
),

reviews as (
    select
        shop_id,
        created_local_date as local_date,
        count(*) as reviews,
        sum(case when is_bad_review then 1 else 0 end) as bad_reviews
    from {{ ref('stg_tiktok_shop__product_reviews') }}
    group by shop_id, created_local_date
),

{% set conversation_measures %}
        count(*) as conversations,
        sum(case when is_asked then 1 else 0 end) as conversations_asked,
        sum(case when is_answered then 1 else 0 end) as conversations_answered,
        {% for hours in cs_response_windows_hours() -%}
        sum(case when is_answered_within_{{ hours }}h then 1 else 0 end) as answered_within_{{ hours }}h,
        {% endfor -%}
        sum(case when is_asked and not is_answered then 1 else 0 end) as conversations_unanswered,
        sum(case when is_complaint then 1 else 0 end) as complaints,
        {{ first_response_seconds_median('response_seconds') }} as first_response_seconds_median,
        {{ first_response_seconds_p90('response_seconds') }} as first_response_seconds_p90,
        sum(response_seconds) as response_seconds_sum
{% endset %}

shop_conversations as (
    select shop_id, local_date, {{ conversation_measures }}
    from conversations
    group by shop_id, local_date
),

agent_conversations as (
    select shop_id, local_date, agent_id, {{ conversation_measures }}
    from conversations
    where agent_id is not null
    group by shop_id, local_date, agent_id
),

shop_days as (
    select shop_id, local_date from shop_conversations
    union
    select shop_id, local_date from reviews
),

shop_level as (
    select
        'shop' as level,
        shop_days.shop_id,
        shop_days.local_date,
        cast(null as varchar) as agent_id,
        shop_conversations.conversations,
        shop_conversations.conversations_asked,
        shop_conversations.conversations_answered,
        {% for hours in cs_response_windows_hours() -%}
        shop_conversations.answered_within_{{ hours }}h,
        {% endfor -%}
        shop_conversations.conversations_unanswered,
        shop_conversations.complaints,
        shop_conversations.first_response_seconds_median,
        shop_conversations.first_response_seconds_p90,
        shop_conversations.response_seconds_sum,
        coalesce(reviews.reviews, 0) as reviews,
        coalesce(reviews.bad_reviews, 0) as bad_reviews
    from shop_days
    left join shop_conversations
        on shop_days.shop_id = shop_conversations.shop_id and shop_days.local_date = shop_conversations.local_date
    left join reviews
        on shop_days.shop_id = reviews.shop_id and shop_days.local_date = reviews.local_date
),

agent_level as (
    select
        'agent' as level,
        shop_id,
        local_date,
        agent_id,
        conversations,
        conversations_asked,
        conversations_answered,
        {% for hours in cs_response_windows_hours() -%}
        answered_within_{{ hours }}h,
        {% endfor -%}
        conversations_unanswered,
        complaints,
        first_response_seconds_median,
        first_response_seconds_p90,
        response_seconds_sum,
        cast(null as bigint) as reviews,
        cast(null as bigint) as bad_reviews
    from agent_conversations
),

both_levels as (
    select * from shop_level
    union all
    select * from agent_level
),

final as (
    select
        both_levels.level,
        both_levels.shop_id,
        both_levels.local_date,
        both_levels.agent_id,
        shops.market,
        cast(coalesce(both_levels.conversations, 0) as bigint) as conversations,
        cast(coalesce(both_levels.conversations_asked, 0) as bigint) as conversations_asked,
        cast(coalesce(both_levels.conversations_answered, 0) as bigint) as conversations_answered,
        cast(coalesce(both_levels.conversations_unanswered, 0) as bigint) as conversations_unanswered,
        both_levels.first_response_seconds_median,
        both_levels.first_response_seconds_p90,
        {{ first_response_seconds_avg('both_levels.response_seconds_sum', 'both_levels.conversations_answered') }} as first_response_seconds_avg,
        {% for hours in cs_response_windows_hours() -%}
        cast(coalesce(both_levels.answered_within_{{ hours }}h, 0) as bigint) as answered_within_{{ hours }}h,
        {{ response_rate('coalesce(both_levels.answered_within_' ~ hours ~ 'h, 0)', 'both_levels.conversations_asked') }} as response_{{ hours }}h_rate,
        {% endfor -%}
        cast(coalesce(both_levels.complaints, 0) as bigint) as complaints,
        {{ complaint_rate('coalesce(both_levels.complaints, 0)', 'both_levels.conversations') }} as complaint_rate,
        cast(both_levels.reviews as bigint) as reviews,
        cast(both_levels.bad_reviews as bigint) as bad_reviews,
        {{ bad_review_rate('both_levels.bad_reviews', 'both_levels.reviews') }} as bad_review_rate
    from both_levels
    left join {{ ref('dim_shops') }} as shops on both_levels.shop_id = shops.shop_id
)

select * from final
