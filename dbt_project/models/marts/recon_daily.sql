{#- Sources held against each other, one row per check × shop × shop-local day (names fixed
    for BI pages and external checks). Each check's tolerance, unit, severity and advice live
    in the `recon_checks` seed, the one place to tune them; a row is 'ok' within tolerance and
    takes the check's severity ('warn' unless the seed says 'error') outside it. Mismatches
    between sources never block a publish: they are what the seller needs to see. `reason`
    names what is off (order ids, the gap) and what to do. Where the definitions explain part
    of a difference (settlements: late adjustments), only the rest is judged, and `reason`
    shows the explained part apart, on 'ok' rows too. A check involving orders judges only the
    shop-days of the loaded history (kpi_shop_daily's days, from the first loaded day): before
    it LinkStar holds only the orders that changed later, beside ERP and analytics days the
    refresh happened to reach, so a comparison there would be a false alarm. The ads check
    (ad level vs account) holds one API against itself and judges every day it reaches. -#}

with checks as (
    select * from {{ ref('recon_checks') }}
),

matches as (
    select * from {{ ref('int_recon_order_matches') }}
),

shop_days as (
    select shop_id, local_date, currency, gmv_paid_amount, orders_paid, ads_attributed_gmv_amount
    from {{ ref('kpi_shop_daily') }}
),

tolerance as (
    select check_name, tolerance from checks
),

erp_orders as (
    -- left: TikTok orders ready to ship that the ERP owes; right: those it has.
    select
        'orders_tiktok_vs_erp' as check_name,
        shop_id,
        ready_local_date as local_date,
        count(*) as left_value,
        sum(case when found_in_erp then 1 else 0 end) as right_value,
        {{ dbt.listagg("case when not found_in_erp then order_id end", "', '", "order by order_id") }} as listed
    from matches
    where owed_by_erp
    group by shop_id, ready_local_date
),

sign_for as (
    -- left: delivered orders with an ERP sign-for; right: those signed for within tolerance.
    select
        'sign_for_vs_delivery' as check_name,
        matches.shop_id,
        matches.delivered_local_date as local_date,
        count(*) as left_value,
        sum(case when abs(matches.sign_for_lag_seconds) <= tolerance.tolerance * 3600 then 1 else 0 end) as right_value,
        {{ dbt.listagg("case when abs(matches.sign_for_lag_seconds) > tolerance.tolerance * 3600 then matches.order_id end", "', '", "order by matches.order_id") }} as listed
    from matches
    inner join tolerance on tolerance.check_name = 'sign_for_vs_delivery'
    where matches.sign_for_lag_seconds is not null
    group by matches.shop_id, matches.delivered_local_date
),

platform as (
    -- the platform's own analytics beside LinkStar's paid figures, one join for both checks
    select
        platform.shop_id,
        platform.performance_date as local_date,
        platform.gmv_amount,
        platform.orders,
        coalesce(shop_days.gmv_paid_amount, 0) as gmv_paid_amount,
        coalesce(shop_days.orders_paid, 0) as orders_paid
    from {{ ref('stg_tiktok_shop__shop_performance_days') }} as platform
    left join shop_days
        on platform.shop_id = shop_days.shop_id and platform.performance_date = shop_days.local_date
),

platform_gmv as (
    select
        'platform_gmv_vs_linkstar' as check_name, shop_id, local_date,
        gmv_amount as left_value, gmv_paid_amount as right_value, cast(null as varchar) as listed
    from platform
),

platform_orders as (
    select
        'platform_orders_vs_linkstar' as check_name, shop_id, local_date,
        orders as left_value, orders_paid as right_value, cast(null as varchar) as listed
    from platform
),

ads_attribution as (
    select
        'ads_attribution_vs_paid_gmv' as check_name,
        shop_id,
        local_date,
        ads_attributed_gmv_amount as left_value,
        gmv_paid_amount as right_value,
        cast(null as varchar) as listed
    from shop_days
    where ads_attributed_gmv_amount > 0
),

ad_level_spend as (
    select advertiser_id, stat_date, sum(spend_amount) as spend_amount
    from {{ ref('stg_tiktok_ads__ad_daily_stats') }}
    group by advertiser_id, stat_date
),

ads_spend_by_advertiser as (
    -- left: the account's own total for its day; right: the ad-level report summed (advertisers
    -- linked to a shop in advertiser_shops; a day with no ad row has 0 at ad level)
    select
        links.shop_id,
        account.advertiser_id,
        account.stat_date,
        account.spend_amount as account_spend,
        coalesce(ad_level.spend_amount, 0) as ad_level_spend
    from {{ ref('stg_tiktok_ads__advertiser_daily_stats') }} as account
    inner join {{ ref('advertiser_shops') }} as links on account.advertiser_id = links.advertiser_id
    left join ad_level_spend as ad_level
        on account.advertiser_id = ad_level.advertiser_id and account.stat_date = ad_level.stat_date
),

ads_spend as (
    select
        'ads_ad_level_vs_advertiser_spend' as check_name,
        shop_id,
        stat_date as local_date,
        sum(account_spend) as left_value,
        sum(ad_level_spend) as right_value,
        {{ dbt.listagg("case when account_spend <> ad_level_spend then advertiser_id end", "', '", "order by advertiser_id") }} as listed
    from ads_spend_by_advertiser
    group by shop_id, stat_date
),

settlement_statements as (
    select * from {{ ref('int_recon_settlement_statements') }}
),

settlements as (
    -- left: what TikTok settled in the statement; right: what orders, refunds and fees imply.
    select
        'settlement_vs_orders_fees_refunds' as check_name,
        shop_id,
        statement_local_date as local_date,
        settlement_amount as left_value,
        derived_settlement_amount as right_value,
        unexplained_lines as listed,
        explained_amount,
        explained_by
    from settlement_statements
),

affiliate_commission as (
    -- left: the commission of the creators' orders the statement settles; right: the
    -- commission the statement charged (statements without TikTok's breakdown are not compared).
    select
        'affiliate_commission_vs_finance' as check_name,
        shop_id,
        statement_local_date as local_date,
        order_commission_amount as left_value,
        finance_commission_amount as right_value,
        commission_lines_off as listed,
        0 as explained_amount,
        cast(null as varchar) as explained_by
    from settlement_statements
    where transactions_with_commission > 0
        and (order_commission_amount <> 0 or finance_commission_amount <> 0)
),

fx_age as (
    -- left: days from the rate's publication to the day it is used for; right: 0 (same day).
    select
        'fx_rate_age' as check_name,
        shop_days.shop_id,
        shop_days.local_date,
        {{ dbt.datediff('fx.rate_published_on', 'shop_days.local_date', 'day') }} as left_value,
        0 as right_value,
        cast(null as varchar) as listed
    from shop_days
    left join {{ ref('fct_fx_rates_daily') }} as fx
        on shop_days.currency = fx.currency and shop_days.local_date = fx.local_date
    where shop_days.currency <> '{{ var("reporting_currency") }}'
),

unexplained_checks as (
    select check_name, shop_id, local_date, left_value, right_value, listed from erp_orders
    union all
    select check_name, shop_id, local_date, left_value, right_value, listed from sign_for
    union all
    select check_name, shop_id, local_date, left_value, right_value, listed from platform_gmv
    union all
    select check_name, shop_id, local_date, left_value, right_value, listed from platform_orders
    union all
    select check_name, shop_id, local_date, left_value, right_value, listed from ads_attribution
    union all
    select check_name, shop_id, local_date, left_value, right_value, listed from ads_spend
    union all
    select check_name, shop_id, local_date, left_value, right_value, listed from fx_age
),

compared as (
    select
        check_name, shop_id, local_date, left_value, right_value, listed,
        0 as explained_amount, cast(null as varchar) as explained_by
    from unexplained_checks
    union all
    select * from settlements
    union all
    select * from affiliate_commission
),

judged as (
    select
        compared.*,
        checks.tolerance,
        checks.tolerance_unit,
        checks.severity,
        checks.what_to_do,
        case
            when compared.left_value is null or compared.right_value is null then true
            when checks.tolerance_unit = 'percent' and compared.check_name = 'ads_attribution_vs_paid_gmv'
                then compared.left_value * 100 > compared.right_value * checks.tolerance
            when checks.tolerance_unit = 'percent'
                then abs(compared.left_value - compared.right_value) * 100 > abs(compared.right_value) * checks.tolerance
            when checks.tolerance_unit = 'hours'  -- a per-order tolerance: right counts the orders within it
                then compared.left_value > compared.right_value
            when compared.check_name = 'fx_rate_age'
                then compared.left_value > checks.tolerance
            else abs(compared.left_value - compared.right_value - compared.explained_amount) > checks.tolerance
        end as out_of_tolerance
    from compared
    inner join checks on compared.check_name = checks.check_name
    left join shop_days as history
        on compared.shop_id = history.shop_id and compared.local_date = history.local_date
    -- A check that holds the ads API against itself needs no order history: its days are
    -- whole wherever the ads reports reach.
    where history.shop_id is not null or compared.check_name = 'ads_ad_level_vs_advertiser_spend'
)

select
    check_name,
    shop_id,
    local_date,
    cast(left_value as decimal(18, 2)) as left_value,
    cast(right_value as decimal(18, 2)) as right_value,
    cast(left_value - right_value as decimal(18, 2)) as difference,
    cast(tolerance as decimal(18, 4)) as tolerance,
    tolerance_unit,
    case when out_of_tolerance then severity else 'ok' end as status,
    case
        when not out_of_tolerance then 'Explained by the definitions: ' || explained_by || '.'
        when left_value is null and check_name = 'fx_rate_age' then 'No FX rate known yet for this day. ' || what_to_do
        else
            coalesce('Off: ' || listed || '. ', '')
            || coalesce('Explained by the definitions: ' || explained_by || '. ', '')
            || what_to_do
    end as reason
from judged
