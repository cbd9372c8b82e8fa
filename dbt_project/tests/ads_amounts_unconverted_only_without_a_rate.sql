{#- A converted ads amount may be null only on a day when a rate it needs is not known yet
    (before a currency's first published rate) or when the amount itself is null (the API sent
    "-", no value): anywhere else a null means a broken join. -#}
{{ config(meta={'dagster': {'ref': {'name': 'kpi_ads_daily'}}}) }}

with rates as (
    select local_date as rate_day, currency from {{ ref('fct_fx_rates_daily') }}
    where reporting_per_unit is not null
),

kpi_rows as (
    select 'kpi_ads_daily' as model, entity_id as row_key, local_date as row_day
    from {{ ref('kpi_ads_daily') }}
    -- A local amount that is itself null (the API's "-", no value) has nothing to convert.
    where (
            (spend_amount is not null and spend_amount_reporting is null)
            or (attributed_gmv_amount is not null and attributed_gmv_amount_reporting is null)
        )
        and (
            currency = '{{ var("reporting_currency") }}'
            or exists (
                select 1 from rates
                where rates.rate_day = kpi_ads_daily.local_date and rates.currency = kpi_ads_daily.currency
            )
        )
),

slices as (
    select
        slices.shop_id,
        slices.local_date,
        slices.advertiser_currency,
        slices.shop_currency,
        advertiser_rates.currency is not null as advertiser_rate_known,
        shop_rates.currency is not null as shop_rate_known
    from {{ ref('int_ads_day_slices') }} as slices
    left join rates as advertiser_rates
        on slices.local_date = advertiser_rates.rate_day and slices.advertiser_currency = advertiser_rates.currency
    left join rates as shop_rates
        on slices.local_date = shop_rates.rate_day and slices.shop_currency = shop_rates.currency
),

shop_days_with_every_rate as (
    select shop_id, local_date
    from slices
    group by shop_id, local_date
    having min(
        case
            when (advertiser_currency = '{{ var("reporting_currency") }}' or advertiser_rate_known)
                and (shop_currency = advertiser_currency or (advertiser_rate_known and shop_rate_known))
                then 1
            else 0
        end
    ) = 1
),

shop_day_rows as (
    select 'int_ads_by_shop_day' as model, shop_days.shop_id as row_key, shop_days.local_date as row_day
    from {{ ref('int_ads_by_shop_day') }} as shop_days
    inner join shop_days_with_every_rate
        on shop_days.shop_id = shop_days_with_every_rate.shop_id
        and shop_days.local_date = shop_days_with_every_rate.local_date
    where shop_days.ads_spend_amount is null
        or shop_days.ads_spend_amount_reporting is null
        or shop_days.attributed_gmv_amount is null
        or shop_days.attributed_gmv_amount_reporting is null
)

select * from kpi_rows
union all
select * from shop_day_rows
