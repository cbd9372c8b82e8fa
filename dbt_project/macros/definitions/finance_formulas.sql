{#- Settlement KPI formulas, written once. Amounts are signed as TikTok signs them: fees
    negative, refunds negative revenue. -#}

{#- Fee rate: platform fees taken per unit of settled revenue = −fee ÷ revenue. -#}
{% macro fee_rate(fee_amount, revenue_amount) -%}
    {{ safe_ratio('-(' ~ fee_amount ~ ')', revenue_amount, 6) }}
{%- endmacro %}

{#- Days from an order's delivery to the statement that settles it (shop-local calendar days). -#}
{% macro days_to_settle(delivered_local_date, statement_local_date) -%}
    {{ dbt.datediff(delivered_local_date, statement_local_date, 'day') }}
{%- endmacro %}

{#- Average settlement days: summed days ÷ settled orders (a ratio of sums, never an average of averages). -#}
{% macro avg_settlement_days(days_sum, settled_orders) -%}
    {{ safe_ratio(days_sum, settled_orders, 2) }}
{%- endmacro %}

{#- Settled share of GMV: GMV of paid orders already settled ÷ GMV of paid orders. -#}
{% macro settled_gmv_share(gmv_settled, gmv_paid) -%}
    {{ safe_ratio(gmv_settled, gmv_paid, 6) }}
{%- endmacro %}
