{#-
  GMV of one order — THE definition, used by every model that reports GMV.

  GMV = the buyer-paid product subtotal with platform-funded discounts added back
      = payment.sub_total + payment.platform_discount
      = original product price − seller discounts.
  The payment block's discounts include the order-level vouchers (seller and platform) on top
  of the lines' discounts, and its sub_total is after both, so a seller voucher comes off GMV
  and a platform voucher does not.
  Shipping and tax are excluded; platform discounts are included because TikTok reimburses
  them to the seller, so they are merchandise value the seller earned. Amounts are in the
  order's (the shop's) currency.
-#}
{% macro order_gmv(sub_total, platform_discount) -%}
    (coalesce({{ sub_total }}, 0) + coalesce({{ platform_discount }}, 0))
{%- endmacro %}
