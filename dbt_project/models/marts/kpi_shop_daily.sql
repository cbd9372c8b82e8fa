{#- Headline sales KPIs per shop and shop-local day, on each sales basis side by side.
    A sale is dated by its own event: paid orders on the day of payment, delivered orders on
    the day of delivery, completed orders on the day their return window ended,
    cancellations on the day of cancellation. Refunds are dated both ways: by the day the
    money went back (what the day's cash saw) and by the order's payment day (what the day's
    sales turned out to be worth). Money is in the shop's currency and, at the rate of the
    local day (last known rate carried forward), in the reporting currency. Every shop has a
    row for every day from the first day of the loaded history (macro first_loaded_day) to the
    shop-local date of the newest change landed, zeros included, the range stretched over
    every day inside the history some of its ads spend falls on (before its first order or
    after the newest order change), so every cent of ads spend on those days reaches this
    mart. Never from an older order's day: an order placed before the history arrives only when
    it changes inside it, so such a day would show a few orders where there were hundreds; its
    delivery, completion, cancellation and refunds count on their own days inside the history
    (docs/kpi_management.md, section 9). -#}

with orders as (
    select * from {{ ref('fct_orders') }}
),

shops as (
    select shop_id, market, currency, time_zone from {{ ref('dim_shops') }}
),

returns as (
    select * from {{ ref('fct_returns') }}
),

fx as (
    select local_date as rate_day, currency, units_per_eur, reporting_units_per_eur, reporting_per_unit
    from {{ ref('fct_fx_rates_daily') }}
),

first_rates as (
    -- The day each currency's first rate became known (to say why an amount is null before).
    select currency as rate_currency, min(rate_day) as first_rate_day
    from fx
    where units_per_eur is not null
    group by currency
),

platform_view as (
    -- TikTok's own analytics of the shop day (traffic the orders cannot tell).
    select shop_id, performance_date as local_date, product_impressions, product_page_views, visitors
    from {{ ref('stg_tiktok_shop__shop_performance_days') }}
),

ads as (
    -- Ads spend and attributed GMV already moved onto the shop's local day and currency.
    select
        shop_id, local_date, ads_spend_amount, ads_spend_amount_reporting, attributed_gmv_amount, ads_follows,
        missing_rate_currency
    from {{ ref('int_ads_by_shop_day') }}
),

placed as (
    select
        shop_id,
        created_local_date as local_date,
        count(*) as orders_placed,
        sum(case when is_cancelled then 1 else 0 end) as orders_placed_later_cancelled,
        sum(case when sale_stage = 'unknown' then 1 else 0 end) as orders_placed_in_unknown_status
    from orders
    group by shop_id, created_local_date
),

paid as (
    select
        shop_id,
        paid_local_date as local_date,
        count(*) as orders_paid,
        sum(gmv_amount) as gmv_paid_amount,
        sum(units) as units_paid,
        count(distinct buyer_key) as buyers_paid
    from orders
    where counts_as_paid
    group by shop_id, paid_local_date
),

delivered as (
    select
        shop_id,
        delivered_local_date as local_date,
        count(*) as orders_delivered,
        sum(gmv_amount) as gmv_delivered_amount,
        sum(units) as units_delivered
    from orders
    where counts_as_delivered
    group by shop_id, delivered_local_date
),

completed as (
    select
        shop_id,
        completed_local_date as local_date,
        count(*) as orders_completed,
        sum(gmv_amount) as gmv_completed_amount,
        sum(units) as units_completed
    from orders
    where counts_as_completed
    group by shop_id, completed_local_date
),

refunds_by_refund_date as (
    select shop_id, refunded_local_date as local_date, sum(refund_subtotal_amount) as refund_amount
    from returns
    where is_refunded
    group by shop_id, refunded_local_date
),

refunds_by_order_date as (
    select shop_id, order_paid_local_date as local_date, sum(refund_subtotal_amount) as refund_amount
    from returns
    where is_refunded and order_paid_local_date is not null
    group by shop_id, order_paid_local_date
),

return_requests_by_order_date as (
    select shop_id, order_paid_local_date as local_date, count(distinct order_id) as orders_with_return_request
    from returns
    where order_paid_local_date is not null
    group by shop_id, order_paid_local_date
),

cancelled as (
    select shop_id, cancelled_local_date as local_date, count(*) as orders_cancelled
    from orders
    where is_cancelled
    group by shop_id, cancelled_local_date
),

data_watermark as (
    -- Data is complete up to the newest change landed; each shop's last day is that moment's
    -- date in the shop's own time zone, so no shop gets a row for a day it has not reached.
    select max(updated_at_utc) as newest_update_utc
    from orders
),

order_ranges as (
    select
        orders.shop_id,
        min(orders.created_local_date) as first_local_date,
        {{ utc_to_local_date('max(data_watermark.newest_update_utc)', 'max(shops.time_zone)') }} as last_local_date
    from orders
    cross join data_watermark
    inner join shops on orders.shop_id = shops.shop_id
    group by orders.shop_id
),

shop_ranges as (
    -- A day with ads spend is a shop day even before the first order or after the newest
    -- order change: ads money is never left off the shop's calendar inside the history. No
    -- day before the history, whatever its orders or ads: it is partial in both (the first
    -- loaded ads day of an account ahead of the shop's clock, Shanghai's 1 Nov, covers Los
    -- Angeles' 31 Oct only from 09:00).
    select
        shop_id,
        greatest(min(first_local_date), {{ first_loaded_day() }}) as first_local_date,
        max(last_local_date) as last_local_date
    from (
        select shop_id, first_local_date, last_local_date from order_ranges
        union all
        select shop_id, min(local_date), max(local_date) from ads group by shop_id
    ) as ranges
    group by shop_id
),

shop_days as (
    select shop_ranges.shop_id, dim_dates.local_date as local_date
    from shop_ranges
    inner join {{ ref('dim_dates') }} as dim_dates
        on dim_dates.local_date between shop_ranges.first_local_date and shop_ranges.last_local_date
),

daily as (
    select
        shop_days.shop_id,
        shop_days.local_date,
        shops.market,
        shops.currency,
        cast(coalesce(placed.orders_placed, 0) as bigint) as orders_placed,
        cast(coalesce(paid.orders_paid, 0) as bigint) as orders_paid,
        {{ to_money('coalesce(paid.gmv_paid_amount, 0)') }} as gmv_paid_amount,
        cast(coalesce(paid.units_paid, 0) as bigint) as units_paid,
        cast(coalesce(paid.buyers_paid, 0) as bigint) as buyers_paid,
        cast(coalesce(delivered.orders_delivered, 0) as bigint) as orders_delivered,
        {{ to_money('coalesce(delivered.gmv_delivered_amount, 0)') }} as gmv_delivered_amount,
        cast(coalesce(delivered.units_delivered, 0) as bigint) as units_delivered,
        cast(coalesce(completed.orders_completed, 0) as bigint) as orders_completed,
        {{ to_money('coalesce(completed.gmv_completed_amount, 0)') }} as gmv_completed_amount,
        cast(coalesce(completed.units_completed, 0) as bigint) as units_completed,
        cast(coalesce(cancelled.orders_cancelled, 0) as bigint) as orders_cancelled,
        cast(coalesce(placed.orders_placed_later_cancelled, 0) as bigint) as orders_placed_later_cancelled,
        cast(coalesce(placed.orders_placed_in_unknown_status, 0) as bigint) as orders_placed_in_unknown_status,
        {{ to_money('coalesce(refunds_by_refund_date.refund_amount, 0)') }} as refund_by_refund_date_amount,
        {{ to_money('coalesce(refunds_by_order_date.refund_amount, 0)') }} as refund_by_order_date_amount,
        cast(coalesce(return_requests_by_order_date.orders_with_return_request, 0) as bigint) as orders_with_return_request,
        -- No ads row: no ads that day (0). A row with a null amount: ads whose currency has no
        -- rate yet, so the day's total is unknown (null), never a silent 0.
        {{ to_money('case when ads.shop_id is null then 0 else ads.ads_spend_amount end') }} as ads_spend_amount,
        {{ to_money('case when ads.shop_id is null then 0 else ads.ads_spend_amount_reporting end') }} as ads_spend_amount_reporting,
        {{ to_money('case when ads.shop_id is null then 0 else ads.attributed_gmv_amount end') }} as ads_attributed_gmv_amount,
        cast(coalesce(ads.ads_follows, 0) as bigint) as ads_follows,
        platform_view.product_impressions,
        platform_view.product_page_views,
        platform_view.visitors,
        -- Named on every row, rate or no rate: the reporting columns are in it (or null).
        '{{ var("reporting_currency") }}' as reporting_currency,
        fx.units_per_eur,
        fx.reporting_units_per_eur,
        fx.reporting_per_unit,
        -- The currency without a rate that leaves some amount of the row null: the shop's own
        -- (or the reporting currency) for its reporting columns, else one its ads need.
        coalesce(
            case
                when shops.currency = '{{ var("reporting_currency") }}' then null
                when fx.units_per_eur is null then shops.currency
                when fx.reporting_units_per_eur is null then '{{ var("reporting_currency") }}'
            end,
            ads.missing_rate_currency
        ) as missing_rate_currency
    from shop_days
    left join shops on shop_days.shop_id = shops.shop_id
    left join placed on shop_days.shop_id = placed.shop_id and shop_days.local_date = placed.local_date
    left join paid on shop_days.shop_id = paid.shop_id and shop_days.local_date = paid.local_date
    left join delivered on shop_days.shop_id = delivered.shop_id and shop_days.local_date = delivered.local_date
    left join completed on shop_days.shop_id = completed.shop_id and shop_days.local_date = completed.local_date
    left join cancelled on shop_days.shop_id = cancelled.shop_id and shop_days.local_date = cancelled.local_date
    left join refunds_by_refund_date
        on shop_days.shop_id = refunds_by_refund_date.shop_id and shop_days.local_date = refunds_by_refund_date.local_date
    left join refunds_by_order_date
        on shop_days.shop_id = refunds_by_order_date.shop_id and shop_days.local_date = refunds_by_order_date.local_date
    left join return_requests_by_order_date
        on shop_days.shop_id = return_requests_by_order_date.shop_id
        and shop_days.local_date = return_requests_by_order_date.local_date
    left join ads on shop_days.shop_id = ads.shop_id and shop_days.local_date = ads.local_date
    left join platform_view on shop_days.shop_id = platform_view.shop_id and shop_days.local_date = platform_view.local_date
    left join fx on shops.currency = fx.currency and shop_days.local_date = fx.rate_day
),

final as (
    select
        shop_id,
        local_date,
        market,
        currency,
        {{ sales_basis_column('orders') }} as orders,
        {{ sales_basis_column('gmv', '_amount') }} as gmv_amount,
        '{{ var("sales_basis") }}' as sales_basis,
        orders_placed,
        orders_paid,
        gmv_paid_amount,
        units_paid,
        buyers_paid,
        {{ aov('gmv_paid_amount', 'orders_paid') }} as aov_paid_amount,
        orders_delivered,
        gmv_delivered_amount,
        units_delivered,
        {{ aov('gmv_delivered_amount', 'orders_delivered') }} as aov_delivered_amount,
        orders_completed,
        gmv_completed_amount,
        units_completed,
        {{ aov('gmv_completed_amount', 'orders_completed') }} as aov_completed_amount,
        orders_cancelled,
        orders_placed_later_cancelled,
        orders_placed_in_unknown_status,
        {{ cancellation_rate('orders_placed_later_cancelled', 'orders_placed') }} as cancellation_rate,
        refund_by_refund_date_amount,
        refund_by_order_date_amount,
        {{ gmv_net_of_refunds('gmv_paid_amount', 'refund_by_order_date_amount') }} as gmv_paid_net_of_refunds_by_order_date_amount,
        {{ gmv_net_of_refunds('gmv_paid_amount', 'refund_by_refund_date_amount') }} as gmv_paid_net_of_refunds_by_refund_date_amount,
        {{ refund_rate('refund_by_order_date_amount', 'gmv_paid_amount') }} as refund_rate,
        orders_with_return_request,
        {{ return_rate('orders_with_return_request', 'orders_paid') }} as return_rate,
        ads_spend_amount,
        ads_attributed_gmv_amount,
        {{ roas('ads_attributed_gmv_amount', 'ads_spend_amount') }} as roas_attributed,
        {{ roas(sales_basis_column('gmv', '_amount'), 'ads_spend_amount') }} as roas_blended,
        ads_follows,
        product_impressions,
        product_page_views,
        visitors,
        {{ conversion_rate('orders_paid', 'visitors') }} as conversion_rate,
        reporting_currency,
        reporting_per_unit,
        {{ in_reporting_currency('gmv_paid_amount', 'units_per_eur', 'reporting_units_per_eur', 'currency') }} as gmv_paid_amount_reporting,
        {{ in_reporting_currency('gmv_delivered_amount', 'units_per_eur', 'reporting_units_per_eur', 'currency') }} as gmv_delivered_amount_reporting,
        {{ in_reporting_currency('gmv_completed_amount', 'units_per_eur', 'reporting_units_per_eur', 'currency') }} as gmv_completed_amount_reporting,
        {{ in_reporting_currency(sales_basis_column('gmv', '_amount'), 'units_per_eur', 'reporting_units_per_eur', 'currency') }} as gmv_amount_reporting,
        {{ in_reporting_currency(gmv_net_of_refunds('gmv_paid_amount', 'refund_by_order_date_amount'), 'units_per_eur', 'reporting_units_per_eur', 'currency') }}
            as gmv_paid_net_of_refunds_by_order_date_amount_reporting,
        {{ in_reporting_currency('refund_by_refund_date_amount', 'units_per_eur', 'reporting_units_per_eur', 'currency') }} as refund_by_refund_date_amount_reporting,
        ads_spend_amount_reporting,
        {{ no_rate_reason('missing_rate_currency', 'first_rate_day') }} as reporting_null_reason
    from daily
    left join first_rates on daily.missing_rate_currency = first_rates.rate_currency
)

select * from final
