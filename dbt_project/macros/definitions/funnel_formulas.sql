{#- Funnel step conversion rates, written once on top of safe_ratio (a zero or null
    denominator gives null, never an error or infinity). Always pass SUMS at the grain shown
    (shop × day × channel, or any roll-up): never average daily rates. -#}

{#- Click rate: clicks (or product page views) per impression; the ads CTR formula. -#}
{% macro funnel_click_rate(clicks, impressions) -%}
    {{ ctr(clicks, impressions) }}
{%- endmacro %}

{#- Add-to-cart rate: add-to-cart events per click (or product page view). -#}
{% macro funnel_add_to_cart_rate(add_to_cart, clicks) -%}
    cast({{ safe_ratio(add_to_cart, clicks, 6) }} as decimal(18, 6))
{%- endmacro %}

{#- Cart conversion rate: paid orders per add-to-cart event. -#}
{% macro funnel_cart_conversion_rate(orders, add_to_cart) -%}
    cast({{ safe_ratio(orders, add_to_cart, 6) }} as decimal(18, 6))
{%- endmacro %}

{#- Click-to-order rate: paid orders per click (or product page view), cart step skipped. -#}
{% macro funnel_click_to_order_rate(orders, clicks) -%}
    cast({{ safe_ratio(orders, clicks, 6) }} as decimal(18, 6))
{%- endmacro %}

{#- Repeat-order rate: paid orders of returning buyers per paid order. -#}
{% macro funnel_repeat_order_rate(repeat_orders, orders) -%}
    cast({{ safe_ratio(repeat_orders, orders, 6) }} as decimal(18, 6))
{%- endmacro %}
