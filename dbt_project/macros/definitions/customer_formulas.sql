{#- Customer (cohort) KPI formulas, written once. Every division goes through `safe_ratio`: a
    zero denominator gives null, never an error or infinity. Pass SUMS over the cohort (never
    average per-buyer or per-month ratios). A window of N days after a buyer's first paid order
    covers that day and the next N - 1 shop-local days. -#}

{#- Window complete: every buyer whose first order falls in the cohort month has had all N days of
    the window observed, i.e. the month's last day + N days is on or before the newest day the data
    reaches (`data_through_date`, a partial day, so the window must end strictly before it). -#}
{% macro is_window_complete(cohort_month, window_days, data_through_date) -%}
    coalesce(cast({{ dbt.dateadd("day", window_days, dbt.last_day(cohort_month, "month")) }} as date) <= {{ data_through_date }}, false)
{%- endmacro %}

{#- Repeat-purchase rate: buyers of the cohort with a second paid order ÷ new buyers; pass
    `is_complete` for a window rate (null while the window has not elapsed). -#}
{% macro repeat_purchase_rate(repeat_buyers, new_buyers, is_complete='true') -%}
    case when {{ is_complete }} then {{ safe_ratio(repeat_buyers, new_buyers, 6) }} end
{%- endmacro %}

{#- LTV at N days: paid GMV net of refunds of the cohort's orders within N days of each buyer's
    first order ÷ new buyers, 2 decimals; null while the window has not elapsed. -#}
{% macro ltv(net_gmv_in_window, new_buyers, is_complete) -%}
    case when {{ is_complete }} then cast({{ safe_ratio(net_gmv_in_window, new_buyers, 2) }} as decimal(18, 2)) end
{%- endmacro %}

{#- CAC: acquisition cost (ads spend + creator commission) ÷ new buyers, 2 decimals. -#}
{% macro cac(acquisition_cost, new_buyers) -%}
    cast({{ safe_ratio(acquisition_cost, new_buyers, 2) }} as decimal(18, 2))
{%- endmacro %}

{#- LTV/CAC: LTV ÷ CAC in the same currency (null when either is null or CAC is zero). -#}
{% macro ltv_to_cac(ltv_amount, cac_amount) -%}
    cast({{ safe_ratio(ltv_amount, cac_amount, 4) }} as decimal(18, 4))
{%- endmacro %}
