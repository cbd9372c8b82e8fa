{#-
  GMV of one order — THE definition, used by every model that reports GMV.

  GMV = the buyer-paid product subtotal with platform-funded discounts added back
      = payment.sub_total + payment.platform_discount
      = original product price − seller discounts.
  Shipping and tax are excluded; platform discounts are included because TikTok reimburses
  them to the seller, so they are merchandise value the seller earned. Amounts are in the
  order's (the shop's) currency.
-#}
{% macro order_gmv(sub_total, platform_discount) -%}
    (coalesce({{ sub_total }}, 0) + coalesce({{ platform_discount }}, 0))
{%- endmacro %}
