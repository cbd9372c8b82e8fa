{#- The core shop KPIs of kpi_shop_daily rolled up over the shops of each market
    (by='market': kpi_market_daily) or of the whole seller (by=none: kpi_seller_daily), in one
    place so both levels mean the same. Ratios are recomputed from summed numerators and
    denominators, never averaged. A market's shops share its time zone, so their local days
    line up; the whole seller adds each shop's own local day of that date. Local-currency money
    only per market (markets have one currency); across markets only the reporting currency. A
    total is null when any of its shop days' parts is null (a rate not yet published), never a
    silent partial sum, and reporting_null_reason says why (every distinct reason of its shop
    days). A market's ratios come from its local sums (one currency, no rate needed); the whole
    seller divides reporting-currency sums. Buyers are the one count that does not add up: one
    person (one buyer_key) paying in two shops on a day is one buyer that day, so buyers_paid is
    counted distinct from fct_orders rather than summed over shops. -#}
{% macro roll_up_shop_days(by=none) -%}
{%- set key = by ~ ', ' if by else '' -%}
with shop_days as (
    select * from {{ ref('kpi_shop_daily') }}
),

paid_orders as (
    select {{ key }}paid_local_date as local_date, buyer_key
    from {{ ref('fct_orders') }}
    where counts_as_paid
),

distinct_buyers as (
    select {{ key }}local_date, count(distinct buyer_key) as buyers_paid
    from paid_orders
    group by {{ key }}local_date
),

sums as (
    select
        {{ key }}local_date,
        {%- if by %}
        max(currency) as currency,
        {%- endif %}
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
        {%- if by %}
        sum(gmv_paid_amount) as gmv_paid_amount,
        sum(gmv_delivered_amount) as gmv_delivered_amount,
        sum(gmv_completed_amount) as gmv_completed_amount,
        sum(refund_by_order_date_amount) as refund_by_order_date_amount,
        {{ sum_if_complete('ads_spend_amount') }} as ads_spend_amount,
        {%- endif %}
        {{ sum_if_complete('gmv_paid_amount_reporting') }} as gmv_paid_amount_reporting,
        {{ sum_if_complete('gmv_delivered_amount_reporting') }} as gmv_delivered_amount_reporting,
        {{ sum_if_complete('gmv_completed_amount_reporting') }} as gmv_completed_amount_reporting,
        {{ sum_if_complete('gmv_amount_reporting') }} as gmv_amount_reporting,
        {{ sum_if_complete('gmv_paid_amount_reporting - gmv_paid_net_of_refunds_by_order_date_amount_reporting') }}
            as refund_by_order_date_amount_reporting,
        {{ sum_if_complete('ads_spend_amount_reporting') }} as ads_spend_amount_reporting
    from shop_days
    group by {{ key }}local_date
),

null_reasons as (
    -- Why a total is null, in words: every distinct reason of its shop days.
    select distinct {{ key }}local_date, reporting_null_reason
    from shop_days
    where reporting_null_reason is not null
),

reasons as (
    select
        {{ key }}local_date,
        {{ dbt.listagg('reporting_null_reason', "'; '", 'order by reporting_null_reason') }} as reporting_null_reason
    from null_reasons
    group by {{ key }}local_date
),

rolled_up as (
    select sums.*, coalesce(distinct_buyers.buyers_paid, 0) as buyers_paid, reasons.reporting_null_reason
    from sums
    left join distinct_buyers
        on sums.local_date = distinct_buyers.local_date
        {%- if by %} and sums.{{ by }} = distinct_buyers.{{ by }}{% endif %}
    left join reasons
        on sums.local_date = reasons.local_date
        {%- if by %} and sums.{{ by }} = reasons.{{ by }}{% endif %}
),

final as (
    select
        {{ key }}local_date,
        {%- if by %}
        currency,
        {%- endif %}
        reporting_currency,
        cast(shops as bigint) as shops,
        cast(orders_placed as bigint) as orders_placed,
        cast(orders_paid as bigint) as orders_paid,
        cast(units_paid as bigint) as units_paid,
        cast(buyers_paid as bigint) as buyers_paid,
        cast(orders_delivered as bigint) as orders_delivered,
        cast(orders_completed as bigint) as orders_completed,
        {%- if by %}
        {{ to_money('gmv_paid_amount') }} as gmv_paid_amount,
        {{ to_money('gmv_delivered_amount') }} as gmv_delivered_amount,
        {{ to_money('gmv_completed_amount') }} as gmv_completed_amount,
        {{ aov('gmv_paid_amount', 'orders_paid') }} as aov_paid_amount,
        {%- endif %}
        {{ to_money('gmv_paid_amount_reporting') }} as gmv_paid_amount_reporting,
        {{ to_money('gmv_delivered_amount_reporting') }} as gmv_delivered_amount_reporting,
        {{ to_money('gmv_completed_amount_reporting') }} as gmv_completed_amount_reporting,
        {{ to_money('gmv_amount_reporting') }} as gmv_amount_reporting,
        {{ aov('gmv_paid_amount_reporting', 'orders_paid') }} as aov_paid_amount_reporting,
        {{ cancellation_rate('orders_placed_later_cancelled', 'orders_placed') }} as cancellation_rate,
        {%- if by %}
        {{ refund_rate('refund_by_order_date_amount', 'gmv_paid_amount') }} as refund_rate,
        {%- else %}
        {{ refund_rate('refund_by_order_date_amount_reporting', 'gmv_paid_amount_reporting') }} as refund_rate,
        {%- endif %}
        {{ return_rate('orders_with_return_request', 'orders_paid') }} as return_rate,
        {{ conversion_rate('orders_paid', 'visitors') }} as conversion_rate,
        {{ to_money('ads_spend_amount_reporting') }} as ads_spend_amount_reporting,
        {%- if by %}
        {{ roas(sales_basis_column('gmv', '_amount'), 'ads_spend_amount') }} as roas_blended,
        {%- else %}
        {{ roas('gmv_amount_reporting', 'ads_spend_amount_reporting') }} as roas_blended,
        {%- endif %}
        reporting_null_reason
    from rolled_up
)

select * from final
{%- endmacro %}
