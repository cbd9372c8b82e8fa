{#- A sum with an unconvertible part is null and says why: a kpi_shop_daily row has a
    reporting_null_reason exactly when one of its amounts is null, and a kpi_market_daily or
    kpi_seller_daily row has one whenever one of its reporting totals is null. -#}
{{ config(meta={'dagster': {'ref': {'name': 'kpi_shop_daily'}}}) }}

{%- set shop_amounts = ['gmv_paid_amount_reporting', 'gmv_delivered_amount_reporting', 'gmv_completed_amount_reporting',
                        'gmv_amount_reporting', 'gmv_paid_net_of_refunds_by_order_date_amount_reporting',
                        'refund_by_refund_date_amount_reporting', 'ads_spend_amount',
                        'ads_spend_amount_reporting', 'ads_attributed_gmv_amount'] %}
{%- set market_amounts = ['gmv_paid_amount_reporting', 'gmv_delivered_amount_reporting', 'gmv_completed_amount_reporting',
                          'gmv_amount_reporting', 'ads_spend_amount_reporting'] %}

with shop_rows as (
    select 'kpi_shop_daily' as model, shop_id as row_key, local_date, reporting_null_reason
    from {{ ref('kpi_shop_daily') }}
    where (reporting_null_reason is not null) <> (
        {%- for amount in shop_amounts %}{{ amount }} is null{{ ' or ' if not loop.last }}{% endfor -%}
    )
),

market_rows as (
    select 'kpi_market_daily' as model, market as row_key, local_date, reporting_null_reason
    from {{ ref('kpi_market_daily') }}
    where reporting_null_reason is null
        and ({%- for amount in market_amounts %}{{ amount }} is null{{ ' or ' if not loop.last }}{% endfor -%})
),

seller_rows as (
    select 'kpi_seller_daily' as model, 'seller' as row_key, local_date, reporting_null_reason
    from {{ ref('kpi_seller_daily') }}
    where reporting_null_reason is null
        and ({%- for amount in market_amounts %}{{ amount }} is null{{ ' or ' if not loop.last }}{% endfor -%})
)

select * from shop_rows
union all
select * from market_rows
union all
select * from seller_rows
