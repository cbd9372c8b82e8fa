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

{#- Revenue an order settles with: its GMV + the shipping fee its buyer paid (tax is not the
    seller's); refunds are taken back by transactions of their own. -#}
{% macro order_settlement_revenue(gmv, shipping_fee) -%}
    (coalesce({{ gmv }}, 0) + coalesce({{ shipping_fee }}, 0))
{%- endmacro %}

{#- Money a refunded return takes back from the seller: the goods and the shipping fee refunded,
    the same parts as order_settlement_revenue (tax is in neither). -#}
{% macro refund_taken_back(refund_subtotal, refund_shipping_fee) -%}
    (coalesce({{ refund_subtotal }}, 0) + coalesce({{ refund_shipping_fee }}, 0))
{%- endmacro %}

{#- The cut (00:00 UTC) of the daily statement that holds money moved at `utc_timestamp`:
    statements hold what settled in the UTC day before their cut. -#}
{% macro statement_cut_after(utc_timestamp) -%}
    {{ dbt.dateadd('day', 1, dbt.date_trunc('day', utc_timestamp)) }}
{%- endmacro %}
