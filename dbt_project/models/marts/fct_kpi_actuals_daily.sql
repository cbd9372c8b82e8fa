{#- The actual of every scorable KPI (seed kpi_scoring_catalog) per scope and shop-local day,
    as a summed numerator and denominator so any period or roll-up recomputes the ratio (never
    an average of daily ratios); `value` is the KPI's own formula macro on them (kpi_value).
    Shop measures come from the KPI marts and facts; team, market, region and company scopes
    sum their shops' numerators and denominators (organisation of that day,
    int_kpi_actual_shop_days); person scope sums the source rows of the person's identities.
    Day bases: sales, content and CS on the shop-local day; LIVE on the session's local start
    day; ads on the advertiser-local stat day (fct_ads_daily: an ads buyer is scored by
    advertiser id, which int_ads_by_shop_day sums away, and the shop's CPM/CPC/ROAS stay on the
    same days so a shop's and its ads buyer's numbers agree). Money in the reporting
    currency at each day's rate. Rows exist for days with loaded data only (the scope's shops
    have a kpi_shop_daily row; persons: any configured shop has); missing activity is zero. -#}

with catalog as (
    select kpi, scope, aggregation, is_money, identity_kind from {{ ref('kpi_scoring_catalog') }}
),

shop_days as (
    select * from {{ ref('int_kpi_actual_shop_days') }}
),

sales as (
    select * from {{ ref('kpi_shop_daily') }}
),

videos as (
    -- Content work of the shop's own account (creator videos are affiliates' work, not the team's).
    select
        shop_id,
        local_date,
        sum(posts) as posts,
        sum(views) as views,
        sum(likes) as likes,
        sum(product_clicks) as product_clicks
    from {{ ref('fct_videos_daily') }}
    where posted_by_type = 'shop_account'
    group by shop_id, local_date
),

live as (
    select
        shop_id,
        local_date,
        host_username,
        sum(gmv_amount_reporting) as gmv_amount_reporting,
        count(gmv_amount_reporting) as sessions_converted,
        count(*) as sessions,
        sum(duration_seconds) as duration_seconds,
        sum(total_watch_seconds) as total_watch_seconds,
        sum(total_viewers) as total_viewers
    from {{ ref('fct_live_sessions') }}
    group by shop_id, local_date, host_username
),

ads_rates as (
    select local_date as rate_day, currency, units_per_eur, reporting_units_per_eur from {{ ref('fct_fx_rates_daily') }}
),

ads_sums as (
    -- Summed in the advertiser's currency first, then converted once (in_reporting_currency).
    select
        shop_id,
        local_date,
        advertiser_id,
        currency,
        sum(spend_amount) as spend_amount,
        sum(attributed_gmv_amount) as attributed_gmv_amount,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from {{ ref('fct_ads_daily') }}
    where shop_id is not null  -- ads for no known shop belong to no scored shop (kept in kpi_ads_daily)
    group by shop_id, local_date, advertiser_id, currency
),

ads as (
    select
        ads_sums.shop_id,
        ads_sums.local_date,
        ads_sums.advertiser_id,
        {{ in_reporting_currency('ads_sums.spend_amount', 'ads_rates.units_per_eur', 'ads_rates.reporting_units_per_eur', 'ads_sums.currency') }} as spend_reporting,
        {{ in_reporting_currency('ads_sums.attributed_gmv_amount', 'ads_rates.units_per_eur', 'ads_rates.reporting_units_per_eur', 'ads_sums.currency') }} as attributed_gmv_reporting,
        ads_sums.impressions,
        ads_sums.clicks
    from ads_sums
    left join ads_rates on ads_sums.local_date = ads_rates.rate_day and ads_sums.currency = ads_rates.currency
),

cs as (
    select
        shop_id,
        local_date,
        agent_id,
        sum(response_seconds_sum) as response_seconds_sum,
        sum(conversations_answered) as conversations_answered,
        sum(answered_within_12h) as answered_within_12h,
        sum(conversations_asked) as conversations_asked
    from {{ ref('fct_cs_daily') }}
    group by shop_id, local_date, agent_id
),

-- Every measure as (kpi, shop, day, identity) → numerator, denominator. Adding a scorable KPI =
-- a catalogue row, a block here and a branch in kpi_value. Every numerator is cast to one
-- decimal type: a union of differently scaled decimals can take a narrower scale (GMV to 1
-- decimal), and a float anywhere would turn the whole column into DOUBLE.
measures as (
    select 'gmv_reporting' as kpi, shop_id, local_date, cast(null as varchar) as identity_kind, cast(null as varchar) as identity_key,
        cast(gmv_amount_reporting as decimal(38, 10)) as numerator, cast(null as decimal(38, 6)) as denominator
    from sales
    union all
    select 'orders', shop_id, local_date, null, null, cast(orders as decimal(38, 10)), null from sales
    union all
    select 'aov_paid_reporting', shop_id, local_date, null, null, cast(gmv_paid_amount_reporting as decimal(38, 10)), orders_paid from sales
    union all
    select 'return_rate', shop_id, local_date, null, null, cast(orders_with_return_request as decimal(38, 10)), orders_paid from sales
    union all
    select 'roas_blended', shop_id, local_date, null, null, cast(gmv_amount_reporting as decimal(38, 10)), ads_spend_amount_reporting from sales
    union all
    select 'content_posts', shop_id, local_date, null, null, cast(posts as decimal(38, 10)), null from videos
    union all
    select 'content_like_rate', shop_id, local_date, null, null, cast(likes as decimal(38, 10)), views from videos
    union all
    select 'content_click_to_shop_rate', shop_id, local_date, null, null, cast(product_clicks as decimal(38, 10)), views from videos
    union all
    select 'live_gmv', shop_id, local_date, 'live_host', host_username,
        cast(case when sessions_converted = sessions then gmv_amount_reporting end as decimal(38, 10)), null
    from live
    union all
    select 'live_duration_hours', shop_id, local_date, 'live_host', host_username, cast({{ hours_on_air('duration_seconds', 10) }} as decimal(38, 10)), null from live
    union all
    select 'live_avg_watch_seconds', shop_id, local_date, 'live_host', host_username, cast(total_watch_seconds as decimal(38, 10)), total_viewers from live
    union all
    select 'cpm', shop_id, local_date, 'ads_advertiser', advertiser_id, cast(spend_reporting as decimal(38, 10)), cast(impressions as decimal(38, 3)) * 0.001 from ads
    union all
    select 'cpc', shop_id, local_date, 'ads_advertiser', advertiser_id, cast(spend_reporting as decimal(38, 10)), clicks from ads
    union all
    select 'roas', shop_id, local_date, 'ads_advertiser', advertiser_id, cast(attributed_gmv_reporting as decimal(38, 10)), spend_reporting from ads
    union all
    select 'first_response_seconds_avg', shop_id, local_date, 'cs_agent', agent_id, cast(response_seconds_sum as decimal(38, 10)), conversations_answered from cs
    union all
    select 'cs_response_rate_12h', shop_id, local_date, 'cs_agent', agent_id, cast(answered_within_12h as decimal(38, 10)), conversations_asked from cs
),

shop_measures as (
    select
        kpi,
        shop_id,
        local_date,
        {{ sum_if_complete('numerator') }} as numerator,
        sum(denominator) as denominator
    from measures
    group by kpi, shop_id, local_date
),

unit_kpis as (
    select distinct kpi, aggregation from catalog where scope <> 'person'
),

-- Every loaded shop day × KPI, zero where nothing happened.
shop_grid as (
    select
        shop_days.local_date,
        shop_days.shop_id,
        shop_days.team_id,
        shop_days.market,
        shop_days.region_id,
        unit_kpis.kpi,
        case when shop_measures.kpi is null then 0 else shop_measures.numerator end as numerator,
        case
            when unit_kpis.aggregation = 'sum' then null
            else coalesce(shop_measures.denominator, 0)
        end as denominator
    from shop_days
    cross join unit_kpis
    left join shop_measures
        on unit_kpis.kpi = shop_measures.kpi
        and shop_days.shop_id = shop_measures.shop_id
        and shop_days.local_date = shop_measures.local_date
),

{%- set roll_up -%}
        kpi,
        local_date,
        {{ sum_if_complete('numerator') }} as numerator,
        sum(denominator) as denominator
{%- endset %}

unit_scopes as (
    select 'shop' as scope, shop_id as scope_id, kpi, local_date, numerator, denominator from shop_grid
    union all
    select 'team', team_id, {{ roll_up }} from shop_grid where team_id is not null group by team_id, kpi, local_date
    union all
    select 'market', market, {{ roll_up }} from shop_grid where market is not null group by market, kpi, local_date
    union all
    select 'region', region_id, {{ roll_up }} from shop_grid where region_id is not null group by region_id, kpi, local_date
    union all
    select 'company', 'ALL', {{ roll_up }} from shop_grid group by kpi, local_date
),

loaded_days as (
    select distinct local_date, config_version from shop_days
),

identities as (
    select config_version, person_id, identity_kind, shop_id, identity_key
    from {{ ref('stg_kpi_config__identities') }}
),

person_measures as (
    select
        identities.person_id,
        measures.kpi,
        measures.local_date,
        {{ sum_if_complete('measures.numerator') }} as numerator,
        sum(measures.denominator) as denominator
    from measures
    inner join loaded_days on measures.local_date = loaded_days.local_date
    inner join identities
        on loaded_days.config_version = identities.config_version
        and measures.identity_kind = identities.identity_kind
        and measures.identity_key = identities.identity_key
        and (identities.shop_id is null or measures.shop_id = identities.shop_id)
    group by identities.person_id, measures.kpi, measures.local_date
),

-- Every loaded day × person with an identity of the KPI's kind × person KPI, zero where idle.
person_scope as (
    select
        'person' as scope,
        person_days.person_id as scope_id,
        catalog.kpi,
        person_days.local_date,
        case when person_measures.kpi is null then 0 else person_measures.numerator end as numerator,
        case
            when catalog.aggregation = 'sum' then null
            else coalesce(person_measures.denominator, 0)
        end as denominator
    from (
        select distinct loaded_days.local_date, identities.person_id, identities.identity_kind
        from loaded_days
        inner join identities on loaded_days.config_version = identities.config_version
    ) as person_days
    inner join catalog
        on catalog.scope = 'person'
        and person_days.identity_kind = catalog.identity_kind
    left join person_measures
        on person_days.person_id = person_measures.person_id
        and catalog.kpi = person_measures.kpi
        and person_days.local_date = person_measures.local_date
),

all_scopes as (
    select * from unit_scopes
    union all
    select * from person_scope
),

final as (
    select
        all_scopes.kpi,
        all_scopes.scope,
        cast(all_scopes.scope_id as varchar) as scope_id,
        cast(all_scopes.local_date as date) as local_date,
        catalog.aggregation,
        catalog.is_money,
        case when catalog.is_money then '{{ var("reporting_currency") }}' end as reporting_currency,
        cast(all_scopes.numerator as decimal(38, 6)) as numerator,
        cast(all_scopes.denominator as decimal(38, 6)) as denominator,
        {{ kpi_value('all_scopes.kpi', 'all_scopes.numerator', 'all_scopes.denominator') }} as value
    from all_scopes
    inner join catalog on all_scopes.kpi = catalog.kpi and all_scopes.scope = catalog.scope
)

select * from final
