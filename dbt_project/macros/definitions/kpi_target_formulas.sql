{#- KPI-management formulas, written once: the value of a scorable KPI from its summed
    numerator and denominator (fct_kpi_actuals_daily, baselines, pacing), the telescoping
    decomposition of a monthly target into days, and direction-aware achievement. Every KPI's
    value goes through the KPI's own formula macro, so a scored actual is the number the KPI
    marts show. -#}

{#- Value of a catalogue KPI from numerator and denominator summed at any grain. Sum KPIs are
    the numerator; ratio KPIs call their dictionary formula. cpm's denominator is impressions
    in thousands, so value = numerator / denominator for every ratio KPI. -#}
{% macro kpi_value(kpi, numerator, denominator) -%}
    cast(case {{ kpi }}
        when 'gmv_reporting' then {{ numerator }}
        when 'orders' then {{ numerator }}
        when 'content_posts' then {{ numerator }}
        when 'live_gmv' then {{ numerator }}
        when 'live_duration_hours' then {{ numerator }}
        when 'aov_paid_reporting' then {{ aov(numerator, denominator) }}
        when 'return_rate' then {{ return_rate(numerator, denominator) }}
        when 'roas_blended' then {{ roas(numerator, denominator) }}
        when 'roas' then {{ roas(numerator, denominator) }}
        when 'content_like_rate' then {{ like_rate(numerator, denominator) }}
        when 'content_click_to_shop_rate' then {{ click_to_shop_rate(numerator, denominator) }}
        when 'live_avg_watch_seconds' then {{ avg_watch_seconds_per_viewer(numerator, denominator) }}
        when 'cpm' then {{ cpm(numerator, '(' ~ denominator ~ ') * 1000') }}
        when 'cpc' then {{ cpc(numerator, denominator) }}
        when 'first_response_seconds_avg' then {{ first_response_seconds_avg(numerator, denominator) }}
        when 'cs_response_rate_12h' then {{ response_rate(numerator, denominator) }}
    end as decimal(38, 6))
{%- endmacro %}

{#- The KPIs kpi_value knows (a pytest checks the scoring catalogue against this list). -#}
{% macro kpi_value_kpis() -%}
    {{ return(['gmv_reporting', 'orders', 'content_posts', 'live_gmv', 'live_duration_hours',
               'aov_paid_reporting', 'return_rate', 'roas_blended', 'roas', 'content_like_rate',
               'content_click_to_shop_rate', 'live_avg_watch_seconds', 'cpm', 'cpc',
               'first_response_seconds_avg', 'cs_response_rate_12h']) }}
{%- endmacro %}

{#- Cumulative share of a monthly target planned up to and including a day: M · cumW / W,
    exact, rounded once to the cent (rounded_division, half away from zero). A day's planned
    target is this minus the previous day's, so the days sum to M exactly. M is in cents times
    100 so the numerator keeps the weights' 10 decimals and no more (rounded_division is exact
    up to 10). -#}
{% macro planned_cumulative_target(monthly_target, cumulative_weight, total_weight) -%}
    cast({{ rounded_division('cast(cast(' ~ monthly_target ~ ' as decimal(38, 2)) * 100 as decimal(38, 0)) * (' ~ cumulative_weight ~ ')', total_weight, 0) }}
        * cast(0.01 as decimal(38, 2)) as decimal(38, 2))
{%- endmacro %}

{#- A weekday's share of a week when nothing tells the days apart: 1/7 in decimal (10 places),
    never the float 1.0 / 7. -#}
{% macro even_weekday_share() -%}
    cast({{ safe_ratio('1', '7', 10) }} as decimal(18, 10))
{%- endmacro %}
