{#- Content and LIVE KPI formulas, written once. Every ratio goes through `safe_ratio`, so a
    zero denominator gives null, never an error or infinity. Always pass SUMS at the grain
    being reported (never average daily ratios). -#}

{#- Like rate: likes per view. -#}
{% macro like_rate(likes, views) -%}
    {{ safe_ratio(likes, views, 6) }}
{%- endmacro %}

{#- Comment rate: comments per view. -#}
{% macro comment_rate(comments, views) -%}
    {{ safe_ratio(comments, views, 6) }}
{%- endmacro %}

{#- Share rate: shares per view. -#}
{% macro share_rate(shares, views) -%}
    {{ safe_ratio(shares, views, 6) }}
{%- endmacro %}

{#- Click-to-shop rate: clicks through to the product per view. -#}
{% macro click_to_shop_rate(product_clicks, views) -%}
    {{ safe_ratio(product_clicks, views, 6) }}
{%- endmacro %}

{#- Average watch time per viewer, seconds: total seconds watched / viewers (1 decimal). -#}
{% macro avg_watch_seconds_per_viewer(total_watch_seconds, viewers) -%}
    cast({{ safe_ratio(total_watch_seconds, viewers, 1) }} as decimal(18, 1))
{%- endmacro %}

{#- GMV per hour on air: GMV / (duration seconds / 3600), money with 2 decimals. -#}
{% macro gmv_per_hour(gmv, duration_seconds) -%}
    cast({{ safe_ratio('(' ~ gmv ~ ') * 3600', duration_seconds, 2) }} as decimal(18, 2))
{%- endmacro %}

{#- GMV per view: attributed GMV / views (6 decimals; ranks videos when no spend is attributable). -#}
{% macro gmv_per_view(gmv, views) -%}
    {{ safe_ratio(gmv, views, 6) }}
{%- endmacro %}

{#- Duration bucket of a video, for the "what makes a hit" comparison. -#}
{% macro video_duration_bucket(duration_seconds) -%}
    case
        when {{ duration_seconds }} is null then null
        when {{ duration_seconds }} < 15 then 'under_15s'
        when {{ duration_seconds }} < 30 then '15_to_29s'
        when {{ duration_seconds }} < 60 then '30_to_59s'
        else '60s_and_over'
    end
{%- endmacro %}

{#- Time on air in hours: seconds ÷ 3600 in decimal, rounded once to `scale` places (522 s is
    0.145 h → 0.15; the float 522 / 3600.0 shows 0.14). -#}
{% macro hours_on_air(duration_seconds, scale) -%}
    {{ safe_ratio(duration_seconds, '3600', scale) }}
{%- endmacro %}
