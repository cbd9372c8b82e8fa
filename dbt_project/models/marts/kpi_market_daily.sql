{#- The core shop KPIs rolled up per market and for the whole seller (market 'ALL'), for
    headquarters' side-by-side comparison. Built from kpi_shop_daily only, so every number
    means what it means there; ratios are recomputed from the summed numerators and
    denominators (never averaged). A market's shops share its time zone, so their local days
    line up; the 'ALL' row adds each shop's own local day of that date. Money is summed in the
    market's currency (markets have one) and in the reporting currency; 'ALL' has only the
    reporting currency. A total is null when any of its shop days' parts is null (a rate not
    yet published), never a silent partial sum, and reporting_null_reason says why (every
    distinct reason of its shop days). A market's ratios come from its local sums (one
    currency, so no rate is needed); only 'ALL' divides reporting-currency sums. Buyers are
    the one count that does not add up: one person (one buyer_key) paying in two shops of a
    market on a day is one buyer of the market that day, so buyers_paid is counted distinct
    from fct_orders per market (and for 'ALL') rather than summed over shops. -#}

with shop_days as (
    select * from {{ ref('kpi_shop_daily') }}
),

paid_orders as (
    select market, paid_local_date as local_date, buyer_key
    from {{ ref('fct_orders') }}
    where counts_as_paid
),

distinct_buyers as (
    select market, local_date, count(distinct buyer_key) as buyers_paid
    from paid_orders
    group by market, local_date
    union all
    select 'ALL', local_date, count(distinct buyer_key)
    from paid_orders
    group by local_date
),

per_market as (
    select
        market,
        local_date,
        max(currency) as currency,
        max(reporting_currency) as reporting_currency,
        count(*) as shops,
        sum(orders_placed) as orders_placed,
        sum(orders_placed_later_cancelled) as orders_placed_later_cancelled,
        sum(orders_paid) as orders_paid,
        sum(units_paid) as units_paid,
        sum(orders_delivered) as orders_delivered,
        sum(orders_completed) as orders_completed,
        sum(orders_with_return_request) as orders_with_return_request,
        sum(visitors) as visitors,
        sum(gmv_paid_amount) as gmv_paid_amount,
        sum(gmv_delivered_amount) as gmv_delivered_amount,
        sum(gmv_completed_amount) as gmv_completed_amount,
        sum(refund_by_order_date_amount) as refund_by_order_date_amount,
        {{ sum_if_complete('ads_spend_amount') }} as ads_spend_amount,
        {{ sum_if_complete('gmv_paid_amount_reporting') }} as gmv_paid_amount_reporting,
        {{ sum_if_complete('gmv_delivered_amount_reporting') }} as gmv_delivered_amount_reporting,
        {{ sum_if_complete('gmv_completed_amount_reporting') }} as gmv_completed_amount_reporting,
        {{ sum_if_complete('gmv_amount_reporting') }} as gmv_amount_reporting,
        {{ sum_if_complete('gmv_paid_amount_reporting - gmv_paid_net_of_refunds_by_order_date_amount_reporting') }} as refund_amount_by_order_date_reporting,
        {{ sum_if_complete('ads_spend_amount_reporting') }} as ads_spend_amount_reporting
    from shop_days
    group by market, local_date
),

whole_seller as (
    select
        'ALL' as market,
        local_date,
        cast(null as {{ dbt.type_string() }}) as currency,
        max(reporting_currency) as reporting_currency,
        sum(shops) as shops,
        sum(orders_placed) as orders_placed,
        sum(orders_placed_later_cancelled) as orders_placed_later_cancelled,
        sum(orders_paid) as orders_paid,
        sum(units_paid) as units_paid,
        sum(orders_delivered) as orders_delivered,
        sum(orders_completed) as orders_completed,
        sum(orders_with_return_request) as orders_with_return_request,
        sum(visitors) as visitors,
        cast(null as decimal(18, 2)) as gmv_paid_amount,
        cast(null as decimal(18, 2)) as gmv_delivered_amount,
        cast(null as decimal(18, 2)) as gmv_completed_amount,
        cast(null as decimal(18, 2)) as refund_by_order_date_amount,
        cast(null as decimal(18, 2)) as ads_spend_amount,
        {{ sum_if_complete('gmv_paid_amount_reporting') }} as gmv_paid_amount_reporting,
        {{ sum_if_complete('gmv_delivered_amount_reporting') }} as gmv_delivered_amount_reporting,
        {{ sum_if_complete('gmv_completed_amount_reporting') }} as gmv_completed_amount_reporting,
        {{ sum_if_complete('gmv_amount_reporting') }} as gmv_amount_reporting,
        {{ sum_if_complete('refund_amount_by_order_date_reporting') }} as refund_amount_by_order_date_reporting,
        {{ sum_if_complete('ads_spend_amount_reporting') }} as ads_spend_amount_reporting
    from per_market
    group by local_date
),

null_reasons as (
    -- Why a total is null, in words: every distinct reason of its shop days.
    select market, local_date, reporting_null_reason from shop_days
    where reporting_null_reason is not null
    union
    select 'ALL', local_date, reporting_null_reason from shop_days
    where reporting_null_reason is not null
),

reasons as (
    select
        market,
        local_date,
        {{ dbt.listagg('reporting_null_reason', "'; '", 'order by reporting_null_reason') }} as reporting_null_reason
    from null_reasons
    group by market, local_date
),

rolled_up as (
    select both_levels.*, coalesce(distinct_buyers.buyers_paid, 0) as buyers_paid, reasons.reporting_null_reason
    from (
        select * from per_market
        union all
        select * from whole_seller
    ) as both_levels
    left join distinct_buyers
        on both_levels.market = distinct_buyers.market
        and both_levels.local_date = distinct_buyers.local_date
    left join reasons
        on both_levels.market = reasons.market
        and both_levels.local_date = reasons.local_date
),

final as (
    select
        market,
        local_date,
        currency,
        reporting_currency,
        cast(shops as bigint) as shops,
        cast(orders_placed as bigint) as orders_placed,
        cast(orders_paid as bigint) as orders_paid,
        cast(units_paid as bigint) as units_paid,
        cast(buyers_paid as bigint) as buyers_paid,
        cast(orders_delivered as bigint) as orders_delivered,
        cast(orders_completed as bigint) as orders_completed,
        {{ to_money('gmv_paid_amount') }} as gmv_paid_amount,
        {{ to_money('gmv_delivered_amount') }} as gmv_delivered_amount,
        {{ to_money('gmv_completed_amount') }} as gmv_completed_amount,
        {{ aov('gmv_paid_amount', 'orders_paid') }} as aov_paid_amount,
        {{ to_money('gmv_paid_amount_reporting') }} as gmv_paid_amount_reporting,
        {{ to_money('gmv_delivered_amount_reporting') }} as gmv_delivered_amount_reporting,
        {{ to_money('gmv_completed_amount_reporting') }} as gmv_completed_amount_reporting,
        {{ to_money('gmv_amount_reporting') }} as gmv_amount_reporting,
        {{ aov('gmv_paid_amount_reporting', 'orders_paid') }} as aov_paid_amount_reporting,
        {{ cancellation_rate('orders_placed_later_cancelled', 'orders_placed') }} as cancellation_rate,
        case
            when market = 'ALL' then {{ refund_rate('refund_amount_by_order_date_reporting', 'gmv_paid_amount_reporting') }}
            else {{ refund_rate('refund_by_order_date_amount', 'gmv_paid_amount') }}
        end as refund_rate,
        {{ return_rate('orders_with_return_request', 'orders_paid') }} as return_rate,
        {{ conversion_rate('orders_paid', 'visitors') }} as conversion_rate,
        {{ to_money('ads_spend_amount_reporting') }} as ads_spend_amount_reporting,
        case
            when market = 'ALL' then {{ roas('gmv_amount_reporting', 'ads_spend_amount_reporting') }}
            else {{ roas(sales_basis_column('gmv', '_amount'), 'ads_spend_amount') }}
        end as roas_blended,
        reporting_null_reason
    from rolled_up
)

select * from final
