{#- Re-aligning ads days to shop days must neither drop nor duplicate money: every advertiser
    day of the ad report and of GMV Max is cut into shop-day slices whose shares add up to 1
    and whose parts add up to the day's figures to the cent and the unit (a shop with no known
    time zone, for instance, would leave its days unsliced). -#}
{{ config(meta={'dagster': {'ref': {'name': 'int_ads_day_slices'}}}) }}

{%- set figures = ['spend_amount', 'attributed_gmv_amount', 'impressions', 'clicks', 'purchases',
                   'follows', 'gmv_max_cost_amount', 'gmv_max_gross_revenue_amount'] %}

with reported as (
    -- Ads that sell for no known shop have no shop day to go to (a warning check counts them).
    select
        shop_id, advertiser_id, local_date as stat_date,
        coalesce(spend_amount, 0) as spend_amount,
        coalesce(attributed_gmv_amount, 0) as attributed_gmv_amount,
        coalesce(impressions, 0) as impressions,
        coalesce(clicks, 0) as clicks,
        coalesce(purchases, 0) as purchases,
        coalesce(follows, 0) as follows,
        0 as gmv_max_cost_amount,
        0 as gmv_max_gross_revenue_amount
    from {{ ref('fct_ads_daily') }}
    where shop_id is not null
    union all
    select
        store_id, advertiser_id, stat_date, 0, 0, 0, 0, 0, 0,
        coalesce(cost_amount, 0), coalesce(gross_revenue_amount, 0)
    from {{ ref('stg_tiktok_ads__gmv_max_daily_stats') }}
),

advertiser_days as (
    select
        shop_id, advertiser_id, stat_date
        {%- for figure in figures %}, sum({{ figure }}) as {{ figure }}{% endfor %}
    from reported
    group by shop_id, advertiser_id, stat_date
),

sliced as (
    select
        shop_id, advertiser_id, stat_date, sum(day_share) as total_share
        {%- for figure in figures %}, sum({{ figure }}) as {{ figure }}{% endfor %}
    from {{ ref('int_ads_day_slices') }}
    group by shop_id, advertiser_id, stat_date
)

select advertiser_days.*, sliced.total_share
from advertiser_days
left join sliced
    on advertiser_days.shop_id = sliced.shop_id
    and advertiser_days.advertiser_id = sliced.advertiser_id
    and advertiser_days.stat_date = sliced.stat_date
where sliced.total_share is null
    or abs(sliced.total_share - 1) > 0.000000001
    {%- for figure in figures %}
    or sliced.{{ figure }} <> advertiser_days.{{ figure }}
    {%- endfor %}
