{#- Two views of the same money must agree: each statement's amounts equal the sum of its
    transactions (only statements whose transactions were landed). A failure means a
    statement's transactions were landed incompletely or TikTok's totals disagree. -#}
{{ config(meta={'dagster': {'ref': {'name': 'stg_tiktok_shop__statements'}}}) }}
with transaction_totals as (
    select
        statement_id,
        sum(revenue_amount) as revenue_amount,
        sum(fee_amount) as fee_amount,
        sum(shipping_cost_amount) as shipping_cost_amount,
        sum(adjustment_amount) as adjustment_amount,
        sum(settlement_amount) as settlement_amount
    from {{ ref('stg_tiktok_shop__statement_transactions') }}
    group by statement_id
)

select s.statement_id, s.settlement_amount, t.settlement_amount as transactions_settlement_amount
from {{ ref('stg_tiktok_shop__statements') }} as s
inner join transaction_totals as t on t.statement_id = s.statement_id
where s.settlement_amount <> t.settlement_amount
   or s.revenue_amount <> t.revenue_amount
   or s.fee_amount <> t.fee_amount
   or s.shipping_cost_amount <> t.shipping_cost_amount
   or s.adjustment_amount <> t.adjustment_amount
