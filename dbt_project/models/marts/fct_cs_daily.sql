{#- Customer-service conversations per shop, shop-local day and first-responding agent:
    additive counts only (response-time percentiles are not additive; kpi_cs_daily computes
    them from the conversations). Conversations nobody has answered yet have no agent. -#}

with conversations as (
    select * from {{ ref('int_cs_conversations') }}
),

final as (
    select
        shop_id,
        local_date,
        agent_id,
        cast(count(*) as bigint) as conversations,
        cast(sum(case when is_asked then 1 else 0 end) as bigint) as conversations_asked,
        cast(sum(case when is_answered then 1 else 0 end) as bigint) as conversations_answered,
        {% for hours in cs_response_windows_hours() -%}
        cast(sum(case when is_answered_within_{{ hours }}h then 1 else 0 end) as bigint) as answered_within_{{ hours }}h,
        {% endfor -%}
        cast(sum(case when is_asked and not is_answered then 1 else 0 end) as bigint) as conversations_unanswered,
        cast(sum(case when is_complaint then 1 else 0 end) as bigint) as complaints,
        cast(sum(response_seconds) as bigint) as response_seconds_sum
    from conversations
    group by shop_id, local_date, agent_id
)

select * from final
