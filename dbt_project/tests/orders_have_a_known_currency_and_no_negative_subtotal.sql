{#- Orders whose money cannot be trusted as sent: no currency, a currency with no FX rate (not
    the reporting currency and never published by the ECB or the supplementary seed, e.g. XAU),
    or a negative product subtotal. One row per order and problem, naming the order; the rows
    are kept in data_quality.orders_have_a_known_currency_and_no_negative_subtotal. A warning
    (issue 14: one bad record never stops the night): the orders stay in every mart, and an
    amount without a rate stays unconverted. -#}
{{ config(
    severity='warn',
    store_failures=true,
    schema='data_quality',
    meta={'dagster': {'ref': {'name': 'stg_tiktok_shop__orders'}}}
) }}

with orders as (
    select order_id, shop_id, currency, product_subtotal_amount
    from {{ ref('stg_tiktok_shop__orders') }}
),

rated_currencies as (
    select distinct currency from {{ ref('int_fx_rates_daily') }}
    union
    select '{{ var("reporting_currency") }}' as currency
),

problems as (
    select order_id, shop_id, currency, product_subtotal_amount, 'currency missing' as problem
    from orders
    where currency is null or trim(currency) = ''
    union all
    select order_id, shop_id, currency, product_subtotal_amount, 'currency without an FX rate' as problem
    from orders
    where trim(currency) <> '' and upper(currency) not in (select currency from rated_currencies)
    union all
    select order_id, shop_id, currency, product_subtotal_amount, 'negative product subtotal' as problem
    from orders
    where product_subtotal_amount < 0
)

select * from problems
