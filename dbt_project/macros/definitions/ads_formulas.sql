{#- Ads KPI formulas, written once on top of safe_ratio: a zero denominator gives null, never
    an error or infinity. Call them on sums at the grain shown (never average daily ratios).
    Money ratios (CPC, CPM, cost per conversion/order) are in the currency of their inputs. -#}

{#- CTR: clicks per impression, as a ratio (0.0123), not the API's percentage. -#}
{% macro ctr(clicks, impressions) -%}
    cast({{ safe_ratio(clicks, impressions, 6) }} as decimal(18, 6))
{%- endmacro %}

{#- CPC: spend per click. -#}
{% macro cpc(spend, clicks) -%}
    cast({{ safe_ratio(spend, clicks, 4) }} as decimal(18, 4))
{%- endmacro %}

{#- CPM: spend per thousand impressions. -#}
{% macro cpm(spend, impressions) -%}
    cast({{ safe_ratio('(' ~ spend ~ ') * 1000', impressions, 4) }} as decimal(18, 4))
{%- endmacro %}

{#- CVR: conversions per click, as a ratio. -#}
{% macro cvr(conversions, clicks) -%}
    cast({{ safe_ratio(conversions, clicks, 6) }} as decimal(18, 6))
{%- endmacro %}

{#- Cost per conversion: spend per conversion (the API's `conversion`). -#}
{% macro cost_per_conversion(spend, conversions) -%}
    cast({{ safe_ratio(spend, conversions, 4) }} as decimal(18, 4))
{%- endmacro %}

{#- Cost per order: spend per completed payment (the API's `complete_payment`). -#}
{% macro cost_per_order(spend, orders) -%}
    cast({{ safe_ratio(spend, orders, 4) }} as decimal(18, 4))
{%- endmacro %}

{#- ROAS: attributed GMV per unit of spend (both in the same currency). -#}
{% macro roas(attributed_gmv, spend) -%}
    cast({{ safe_ratio(attributed_gmv, spend, 4) }} as decimal(18, 4))
{%- endmacro %}
