{#- Each statement held against what LinkStar derives from orders, refunds and the statement's
    own fees, one row per shop × statement cut (00:00 UTC), for recon_daily's
    settlement_vs_orders_fees_refunds and affiliate_commission_vs_finance. Ephemeral: the two
    checks' inputs, not a table of their own.

    Derived settlement = the settlement revenue of the orders the statement settles (macro
    order_settlement_revenue, from fct_orders) − the refunds it should take back (each refunded
    return of a settled order belongs to the first cut after both the refund and its order's
    settlement) + the fees and shipping costs TikTok charged on the statement's transactions.
    Explained by the definitions: late adjustments of orders LinkStar holds, and the non-fee
    money of orders outside the loaded history (nothing to derive it from). The rest is
    unexplained and listed per order, or per transaction of no order. Orders not settled yet
    are in no statement (kpi_settlement_monthly counts them). -#}

{{ config(materialized='ephemeral') }}

with shops as (
    select shop_id, time_zone from {{ ref('dim_shops') }}
),

affiliate_orders as (
    select order_id, commission_amount from {{ ref('stg_tiktok_shop__affiliate_orders') }}
),

transactions as (
    select
        settlements.shop_id,
        settlements.statement_cut_at_utc,
        settlements.transaction_type,
        settlements.order_id,
        coalesce(settlements.order_id, settlements.transaction_id) as line_key,
        case
            when settlements.order_id is null
                then 'transaction ' || settlements.transaction_id || ' (' || settlements.transaction_type
                    || coalesce(' ' || settlements.adjustment_reason, '') || ', no order)'
            else 'order ' || settlements.order_id
        end as line_label,
        orders.order_id is not null as order_is_loaded,
        settlements.settlement_amount,
        settlements.fee_amount + settlements.shipping_cost_amount as charged_amount,
        case
            when settlements.transaction_type = 'ORDER' and orders.order_id is not null
                then {{ order_settlement_revenue('orders.gmv_amount', 'orders.shipping_fee_amount') }}
            else 0
        end as order_revenue_amount,
        settlements.adjustment_amount,
        -settlements.affiliate_commission_amount as finance_commission_amount,
        case
            when settlements.transaction_type = 'ORDER' then coalesce(affiliate_orders.commission_amount, 0)
            else 0
        end as order_commission_amount
    from {{ ref('fct_settlements') }} as settlements
    left join {{ ref('fct_orders') }} as orders on settlements.order_id = orders.order_id
    left join affiliate_orders on settlements.order_id = affiliate_orders.order_id
),

newest_cuts as (
    select shop_id, max(statement_cut_at_utc) as newest_cut_at_utc
    from transactions
    group by shop_id
),

settled_orders as (
    select order_id, min(statement_cut_at_utc) as settled_cut_at_utc
    from transactions
    where transaction_type = 'ORDER' and order_is_loaded
    group by order_id
),

refunds_due as (
    -- refunds of settled orders, in the statement that should take them back (none after the
    -- shop's newest statement: not cut yet)
    select
        returns.shop_id,
        greatest(settled_orders.settled_cut_at_utc, {{ statement_cut_after('returns.refunded_at_utc') }})
            as statement_cut_at_utc,
        returns.order_id as line_key,
        {{ refund_taken_back('returns.refund_subtotal_amount', 'returns.refund_shipping_fee_amount') }}
            as refund_amount
    from {{ ref('fct_returns') }} as returns
    inner join settled_orders on returns.order_id = settled_orders.order_id
    where returns.is_refunded
),

refund_lines as (
    select
        refunds_due.shop_id,
        refunds_due.statement_cut_at_utc,
        refunds_due.line_key,
        sum(refunds_due.refund_amount) as refund_amount
    from refunds_due
    inner join newest_cuts
        on refunds_due.shop_id = newest_cuts.shop_id
        and refunds_due.statement_cut_at_utc <= newest_cuts.newest_cut_at_utc
    group by refunds_due.shop_id, refunds_due.statement_cut_at_utc, refunds_due.line_key
),

transaction_lines as (
    select
        shop_id,
        statement_cut_at_utc,
        line_key,
        max(line_label) as line_label,
        sum(settlement_amount) as settlement_amount,
        sum(charged_amount + order_revenue_amount) as derived_before_refunds_amount,
        sum(case when order_is_loaded then adjustment_amount else 0 end) as late_adjustment_amount,
        sum(case when order_id is not null and not order_is_loaded then settlement_amount - charged_amount else 0 end)
            as outside_history_amount,
        sum(finance_commission_amount) as finance_commission_amount,
        count(finance_commission_amount) as transactions_with_commission,
        sum(order_commission_amount) as order_commission_amount
    from transactions
    group by shop_id, statement_cut_at_utc, line_key
),

lines as (
    select
        coalesce(transaction_lines.shop_id, refund_lines.shop_id) as shop_id,
        coalesce(transaction_lines.statement_cut_at_utc, refund_lines.statement_cut_at_utc) as statement_cut_at_utc,
        coalesce(transaction_lines.line_label, 'order ' || refund_lines.line_key) as line_label,
        coalesce(transaction_lines.settlement_amount, 0) as settlement_amount,
        coalesce(transaction_lines.derived_before_refunds_amount, 0) - coalesce(refund_lines.refund_amount, 0)
            as derived_amount,
        coalesce(transaction_lines.late_adjustment_amount, 0) as late_adjustment_amount,
        coalesce(transaction_lines.outside_history_amount, 0) as outside_history_amount,
        coalesce(transaction_lines.finance_commission_amount, 0) as finance_commission_amount,
        coalesce(transaction_lines.transactions_with_commission, 0) as transactions_with_commission,
        coalesce(transaction_lines.order_commission_amount, 0) as order_commission_amount
    from transaction_lines
    full outer join refund_lines
        on transaction_lines.shop_id = refund_lines.shop_id
        and transaction_lines.statement_cut_at_utc = refund_lines.statement_cut_at_utc
        and transaction_lines.line_key = refund_lines.line_key
),

judged_lines as (
    select
        *,
        settlement_amount - derived_amount - late_adjustment_amount - outside_history_amount as unexplained_amount
    from lines
),

statements as (
    select
        shop_id,
        statement_cut_at_utc,
        sum(settlement_amount) as settlement_amount,
        sum(derived_amount) as derived_settlement_amount,
        sum(late_adjustment_amount) as late_adjustment_amount,
        sum(case when late_adjustment_amount <> 0 then 1 else 0 end) as late_adjusted_orders,
        sum(outside_history_amount) as outside_history_amount,
        sum(case when outside_history_amount <> 0 then 1 else 0 end) as outside_history_orders,
        {{ dbt.listagg("case when unexplained_amount <> 0 then line_label || ' ' || cast(unexplained_amount as varchar) end", "', '", "order by line_label") }}
            as unexplained_lines,
        sum(order_commission_amount) as order_commission_amount,
        sum(finance_commission_amount) as finance_commission_amount,
        sum(transactions_with_commission) as transactions_with_commission,
        {{ dbt.listagg("case when order_commission_amount <> finance_commission_amount then line_label end", "', '", "order by line_label") }}
            as commission_lines_off
    from judged_lines
    group by shop_id, statement_cut_at_utc
),

final as (
    select
        statements.shop_id,
        statements.statement_cut_at_utc,
        {{ utc_to_local_date('statements.statement_cut_at_utc', 'shops.time_zone') }} as statement_local_date,
        statements.settlement_amount,
        statements.derived_settlement_amount,
        statements.late_adjustment_amount + statements.outside_history_amount as explained_amount,
        nullif(
            coalesce(
                case when statements.late_adjusted_orders > 0 then 'late adjustments of settled orders '
                    || cast(statements.late_adjustment_amount as varchar)
                    || ' (' || cast(statements.late_adjusted_orders as varchar) || ' orders)' end,
                ''
            )
            || case when statements.late_adjusted_orders > 0 and statements.outside_history_orders > 0 then '; ' else '' end
            || coalesce(
                case when statements.outside_history_orders > 0 then 'orders before the loaded history '
                    || cast(statements.outside_history_amount as varchar)
                    || ' (' || cast(statements.outside_history_orders as varchar) || ' orders)' end,
                ''
            ),
            ''
        ) as explained_by,
        statements.unexplained_lines,
        statements.order_commission_amount,
        statements.finance_commission_amount,
        statements.transactions_with_commission,
        statements.commission_lines_off
    from statements
    inner join shops on statements.shop_id = shops.shop_id
)

select * from final
