{#- Customer cohorts: one row per shop × cohort month (the shop-local month of buyers' first paid
    order) × level/segment: `shop`/`all` (every new buyer), `channel`/<acquisition channel>
    (affiliate | organic_unknown) and `creator`/<creator_key> (buyers whose first order a creator
    sold). Windows of 30/90/180 days start on each buyer's first paid day; LTV counts the buyer's
    paid orders in the window at GMV net of the refunds of those orders (refunds dated by order,
    whenever refunded). A window that has not elapsed for the whole cohort gives null rates and
    LTV, flagged by is_window_complete_<n>d. Acquisition cost = ads spend on the shop's local days
    of the cohort month + creator commission of the cohort's first orders; ads spend is carried
    only by the `shop` row and the `organic_unknown` channel (orders do not say which came
    through ads), commission by the rows of the buyers it acquired. Cohorts start at the first
    whole loaded month: a month whose first shop-local day is on or after the first loaded day
    (macro first_loaded_day, compared as kpi_shop_daily compares its days), so every day of it
    is a shop day. An earlier month would hold only its buyers whose orders happened to change
    inside the history; they stay buyers (int_customer_first_orders), so their later orders are
    repeats, never new buyers of a later cohort, and form no cohort row. -#}

{% set windows = [30, 90, 180] %}

with shops as (
    select shop_id, currency, time_zone from {{ ref('dim_shops') }}
),

first_orders as (
    select * from {{ ref('int_customer_first_orders') }}
),

paid_orders as (
    select order_id, shop_id, buyer_key, paid_local_date, gmv_amount as gmv
    from {{ ref('fct_orders') }}
    where counts_as_paid and buyer_key is not null
),

-- The newest change landed (as for the completed basis) on each shop's calendar: data reach
-- that day, partially.
data_through as (
    select
        shops.shop_id,
        {{ utc_to_local_date('watermark.newest_update_utc', 'shops.time_zone') }} as data_through_local_date
    from shops
    cross join (select max(updated_at_utc) as newest_update_utc from {{ ref('fct_orders') }}) as watermark
),

refunds as (
    select order_id, sum(refund_subtotal_amount) as refund_amount
    from {{ ref('fct_returns') }}
    where is_refunded
    group by order_id
),

fx as (
    select local_date as rate_day, currency, reporting_currency, units_per_eur, reporting_units_per_eur, reporting_per_unit
    from {{ ref('fct_fx_rates_daily') }}
),

buyer_orders as (
    select
        first_orders.shop_id,
        first_orders.buyer_key,
        paid_orders.order_id <> first_orders.first_order_id as is_repeat_order,
        {{ dbt.datediff('first_orders.first_paid_local_date', 'paid_orders.paid_local_date', 'day') }} as days_after_first,
        paid_orders.gmv - coalesce(refunds.refund_amount, 0) as net_gmv,
        {{ in_reporting_currency('(paid_orders.gmv - coalesce(refunds.refund_amount, 0))', 'fx.units_per_eur', 'fx.reporting_units_per_eur', 'first_orders.currency') }}
            as net_gmv_reporting
    from first_orders
    inner join paid_orders
        on first_orders.shop_id = paid_orders.shop_id and first_orders.buyer_key = paid_orders.buyer_key
    left join refunds on paid_orders.order_id = refunds.order_id
    left join fx on first_orders.currency = fx.currency and paid_orders.paid_local_date = fx.rate_day
),

buyers as (
    select
        first_orders.shop_id,
        first_orders.buyer_key,
        first_orders.cohort_month,
        first_orders.acquisition_channel,
        first_orders.acquisition_creator_key,
        first_orders.first_order_commission_amount as commission,
        {{ in_reporting_currency('first_orders.first_order_commission_amount', 'fx.units_per_eur', 'fx.reporting_units_per_eur', 'first_orders.currency') }}
            as commission_reporting,
        max(case when buyer_orders.is_repeat_order then 1 else 0 end) as is_repeat_buyer,
        {% for n in windows %}
        max(case when buyer_orders.is_repeat_order and buyer_orders.days_after_first < {{ n }} then 1 else 0 end)
            as is_repeat_buyer_{{ n }}d,
        sum(case when buyer_orders.days_after_first < {{ n }} then buyer_orders.net_gmv else 0 end) as net_gmv_{{ n }}d,
        sum(case when buyer_orders.days_after_first < {{ n }} then buyer_orders.net_gmv_reporting else 0 end)
            as net_gmv_{{ n }}d_reporting{{ ',' if not loop.last }}
        {% endfor %}
    from first_orders
    inner join buyer_orders
        on first_orders.shop_id = buyer_orders.shop_id and first_orders.buyer_key = buyer_orders.buyer_key
    left join fx on first_orders.currency = fx.currency and first_orders.first_paid_local_date = fx.rate_day
    group by 1, 2, 3, 4, 5, 6, 7
),

buyer_segments as (
    select *, 'shop' as level, 'all' as segment from buyers
    union all
    select *, 'channel' as level, acquisition_channel as segment from buyers
    union all
    select *, 'creator' as level, acquisition_creator_key as segment from buyers
    where acquisition_creator_key is not null
),

segment_totals as (
    select
        shop_id,
        cohort_month,
        level,
        segment,
        count(*) as new_buyers,
        sum(is_repeat_buyer) as repeat_buyers,
        sum(commission) as commission,
        sum(commission_reporting) as commission_reporting,
        {% for n in windows %}
        sum(is_repeat_buyer_{{ n }}d) as repeat_buyers_{{ n }}d,
        sum(net_gmv_{{ n }}d) as net_gmv_{{ n }}d,
        sum(net_gmv_{{ n }}d_reporting) as net_gmv_{{ n }}d_reporting{{ ',' if not loop.last }}
        {% endfor %}
    from buyer_segments
    group by shop_id, cohort_month, level, segment
),

ads_months as (
    select
        shop_id,
        cast({{ dbt.date_trunc('month', 'local_date') }} as date) as cohort_month,
        sum(ads_spend_amount) as ads_spend,
        sum(ads_spend_amount_reporting) as ads_spend_reporting
    from {{ ref('int_ads_by_shop_day') }}
    group by 1, 2
),

-- Every segment with new buyers, plus the shop row of a month with ads spend but no new buyer.
candidate_segments as (
    select shop_id, cohort_month, level, segment from segment_totals
    union
    select shop_id, cohort_month, 'shop' as level, 'all' as segment from ads_months
),

-- Only whole loaded months: a month that starts before the first loaded day has partial
-- buyers and ads spend (its days before the history are no shop days).
segments as (
    select shop_id, cohort_month, level, segment
    from candidate_segments
    where cohort_month >= {{ first_loaded_day() }}
),

costs as (
    select
        segments.shop_id,
        segments.cohort_month,
        segments.level,
        segments.segment,
        coalesce(segment_totals.new_buyers, 0) as new_buyers,
        coalesce(segment_totals.repeat_buyers, 0) as repeat_buyers,
        {% for n in windows %}
        coalesce(segment_totals.repeat_buyers_{{ n }}d, 0) as repeat_buyers_{{ n }}d,
        {{ to_money('coalesce(segment_totals.net_gmv_' ~ n ~ 'd, 0)') }} as net_gmv_{{ n }}d_amount,
        {{ to_money('coalesce(segment_totals.net_gmv_' ~ n ~ 'd_reporting, 0)') }} as net_gmv_{{ n }}d_amount_reporting,
        {{ is_window_complete('segments.cohort_month', n, 'data_through.data_through_local_date') }}
            as is_window_complete_{{ n }}d,
        {% endfor %}
        case when segments.level = 'shop' or segments.segment = 'organic_unknown'
            then coalesce(ads_months.ads_spend, 0) else 0 end as ads_spend,
        case when segments.level = 'shop' or segments.segment = 'organic_unknown'
            then coalesce(ads_months.ads_spend_reporting, 0) else 0 end as ads_spend_reporting,
        coalesce(segment_totals.commission, 0) as commission,
        coalesce(segment_totals.commission_reporting, 0) as commission_reporting,
        data_through.data_through_local_date
    from segments
    inner join data_through on segments.shop_id = data_through.shop_id
    left join segment_totals
        on segments.shop_id = segment_totals.shop_id
        and segments.cohort_month = segment_totals.cohort_month
        and segments.level = segment_totals.level
        and segments.segment = segment_totals.segment
    left join ads_months
        on segments.shop_id = ads_months.shop_id and segments.cohort_month = ads_months.cohort_month
),

final as (
    select
        costs.shop_id,
        costs.cohort_month,
        costs.level,
        costs.segment,
        shops.currency,
        '{{ var("reporting_currency") }}' as reporting_currency,
        costs.data_through_local_date,
        cast(costs.new_buyers as integer) as new_buyers,
        cast(costs.repeat_buyers as integer) as repeat_buyers,
        {{ repeat_purchase_rate('costs.repeat_buyers', 'costs.new_buyers') }} as repeat_purchase_rate,
        {% for n in windows %}
        costs.is_window_complete_{{ n }}d,
        cast(costs.repeat_buyers_{{ n }}d as integer) as repeat_buyers_{{ n }}d,
        {{ repeat_purchase_rate('costs.repeat_buyers_' ~ n ~ 'd', 'costs.new_buyers', 'costs.is_window_complete_' ~ n ~ 'd') }}
            as repeat_purchase_{{ n }}d_rate,
        costs.net_gmv_{{ n }}d_amount,
        costs.net_gmv_{{ n }}d_amount_reporting,
        {{ ltv('costs.net_gmv_' ~ n ~ 'd_amount', 'costs.new_buyers', 'costs.is_window_complete_' ~ n ~ 'd') }}
            as ltv_{{ n }}d_amount,
        {{ ltv('costs.net_gmv_' ~ n ~ 'd_amount_reporting', 'costs.new_buyers', 'costs.is_window_complete_' ~ n ~ 'd') }}
            as ltv_{{ n }}d_amount_reporting,
        {% endfor %}
        {{ to_money('costs.ads_spend') }} as ads_spend_amount,
        {{ to_money('costs.ads_spend_reporting') }} as ads_spend_amount_reporting,
        {{ to_money('costs.commission') }} as creator_commission_amount,
        {{ to_money('costs.commission_reporting') }} as creator_commission_amount_reporting,
        {{ to_money('costs.ads_spend + costs.commission') }} as acquisition_cost_amount,
        {{ to_money('costs.ads_spend_reporting + costs.commission_reporting') }} as acquisition_cost_amount_reporting,
        {{ cac('costs.ads_spend + costs.commission', 'costs.new_buyers') }} as cac_amount,
        {{ cac('costs.ads_spend_reporting + costs.commission_reporting', 'costs.new_buyers') }} as cac_amount_reporting
    from costs
    inner join shops on costs.shop_id = shops.shop_id
),

with_ratios as (
    select
        *,
        {% for n in windows %}
        {{ ltv_to_cac('ltv_' ~ n ~ 'd_amount', 'cac_amount') }} as ltv_{{ n }}d_to_cac{{ ',' if not loop.last }}
        {% endfor %}
    from final
)

select * from with_ratios
