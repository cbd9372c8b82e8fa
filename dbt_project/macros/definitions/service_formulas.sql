{#- Customer-service KPI formulas, written once. A conversation's response time comes from
    stg_tiktok_shop__cs_conversations (first buyer message → first agent answer); a bad
    review is `is_bad_review` of stg_tiktok_shop__product_reviews (rating ≤ 2). -#}

{#- The response windows (hours) the response-rate KPIs are measured against. -#}
{% macro cs_response_windows_hours() -%}
    {{ return([12, 24]) }}
{%- endmacro %}

{#- A conversation was answered within `hours` of the buyer's first message (false while unanswered). -#}
{% macro answered_within(response_seconds, hours) -%}
    coalesce({{ response_seconds }} <= {{ hours }} * 3600, false)
{%- endmacro %}

{#- Median first-response time in seconds over the answered conversations of the group. -#}
{% macro first_response_seconds_median(response_seconds) -%}
    cast({{ percentile_cont(response_seconds, 0.5) }} as decimal(18, 1))
{%- endmacro %}

{#- 90th-percentile first-response time in seconds over the answered conversations of the group. -#}
{% macro first_response_seconds_p90(response_seconds) -%}
    cast({{ percentile_cont(response_seconds, 0.9) }} as decimal(18, 1))
{%- endmacro %}

{#- Response rate: conversations answered within the window ÷ conversations the buyer wrote in. -#}
{% macro response_rate(answered_within_window, conversations_asked) -%}
    {{ safe_ratio(answered_within_window, conversations_asked, 6) }}
{%- endmacro %}

{#- Bad-review rate: bad reviews (rating ≤ 2) ÷ reviews. -#}
{% macro bad_review_rate(bad_reviews, reviews) -%}
    {{ safe_ratio(bad_reviews, reviews, 6) }}
{%- endmacro %}

{#- Complaint rate: conversations TikTok flagged as complaints ÷ conversations. -#}
{% macro complaint_rate(complaints, conversations) -%}
    {{ safe_ratio(complaints, conversations, 6) }}
{%- endmacro %}

{#- Mean first-response time in seconds: summed first-response seconds ÷ answered conversations (1 decimal). -#}
{% macro first_response_seconds_avg(response_seconds_sum, conversations_answered) -%}
    cast({{ safe_ratio(response_seconds_sum, conversations_answered, 1) }} as decimal(18, 1))
{%- endmacro %}
