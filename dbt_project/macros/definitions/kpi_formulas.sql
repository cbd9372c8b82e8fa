{#- KPI formulas written once. Every division is guarded: a zero denominator gives null,
    never an error or infinity. -#}

{#- A ratio in decimal, exact, rounded once to `scale` decimals by the project's one rounding
    rule (half away from zero; macro rounded_division). Pass the scale the KPI is shown at:
    rounding to a longer scale first and casting to a shorter one rounds twice. -#}
{% macro safe_ratio(numerator, denominator, scale=6) -%}
    {{ rounded_division(numerator, denominator, scale) }}
{%- endmacro %}

{#- Average order value: GMV per order on the same basis, in the same currency. -#}
{% macro aov(gmv, orders) -%}
    cast({{ safe_ratio(gmv, orders, 2) }} as decimal(18, 2))
{%- endmacro %}

{#- Share of the orders placed on a day that were later cancelled (a cohort of the creation day). -#}
{% macro cancellation_rate(orders_placed_later_cancelled, orders_placed) -%}
    {{ safe_ratio(orders_placed_later_cancelled, orders_placed) }}
{%- endmacro %}

{#- Refunded goods value per unit of GMV, both dated by the order's payment day. -#}
{% macro refund_rate(refund_amount_by_order_date, gmv_paid) -%}
    {{ safe_ratio(refund_amount_by_order_date, gmv_paid) }}
{%- endmacro %}

{#- Share of the orders paid on a day that got an after-sales (return or refund) request. -#}
{% macro return_rate(orders_with_return_request, orders_paid) -%}
    {{ safe_ratio(orders_with_return_request, orders_paid) }}
{%- endmacro %}

{#- Paid orders per visitor of the shop (visitors as TikTok's shop analytics count them). -#}
{% macro conversion_rate(orders_paid, visitors) -%}
    {{ safe_ratio(orders_paid, visitors) }}
{%- endmacro %}

{#- GMV net of refunds: GMV on the paid basis less the refunded goods value. -#}
{% macro gmv_net_of_refunds(gmv_paid, refund_amount) -%}
    cast({{ gmv_paid }} - {{ refund_amount }} as decimal(18, 2))
{%- endmacro %}

{#- A roll-up sum that is null when any input row is null (e.g. a shop day without an FX rate
    yet), so a total never silently leaves part of the seller out. -#}
{% macro sum_if_complete(expression) -%}
    case when count({{ expression }}) = count(*) then sum({{ expression }}) end
{%- endmacro %}
