{#- The body of kpi_drivers_daily and kpi_drivers_weekly, written once (the split's rules are in
    driver_formulas.sql). `period`: 'day' (the shop-local day) or 'week' (the ISO week of the
    shop-local days, dim_dates.week_start); `comparisons`: name → days back to the comparison
    period. A period is compared only when its comparison period starts on or after the first
    period of the warehouse (no change against data never loaded). -#}
{% macro kpi_drivers(period, comparisons) %}

with shop_days as (
    select
        shop_days.shop_id,
        shop_days.market,
        {{ driver_region_id('shops') }} as region,
        {{ 'shop_days.local_date' if period == 'day' else 'dim_dates.week_start' }} as period_start,
        shop_days.local_date,
        shop_days.visitors,
        shop_days.orders,
        shop_days.gmv_amount_reporting
    from {{ ref('kpi_shop_daily') }} as shop_days
    inner join {{ ref('dim_dates') }} as dim_dates on shop_days.local_date = dim_dates.local_date
    inner join {{ ref('dim_shops') }} as shops on shop_days.shop_id = shops.shop_id
),

videos as (
    select shop_id, local_date, sum(attributed_orders) as orders, {{ sum_if_complete('attributed_gmv_amount_reporting') }} as gmv
    from {{ ref('fct_videos_daily') }}
    group by shop_id, local_date
),

lives as (
    select shop_id, local_date, sum(attributed_orders) as orders, {{ sum_if_complete('gmv_amount_reporting') }} as gmv
    from {{ ref('fct_live_sessions') }}
    group by shop_id, local_date
),

ads as (
    select shop_id, local_date, ads_orders as orders, attributed_gmv_amount_reporting as gmv
    from {{ ref('int_ads_by_shop_day') }}
),

shop_periods as (
    -- A missing content or ads row is none that day (0); a present one with a null amount
    -- lacks an FX rate, and keeps the period's sum null.
    select
        shop_days.shop_id,
        shop_days.market,
        shop_days.region,
        shop_days.period_start,
        count(*) as days,
        {{ sum_if_complete('shop_days.visitors') }} as visitors,
        sum(shop_days.orders) as orders,
        {{ sum_if_complete('shop_days.gmv_amount_reporting') }} as gmv,
        sum(coalesce(videos.orders, 0)) as video_orders,
        {{ sum_if_complete('case when videos.shop_id is null then 0 else videos.gmv end') }} as video_gmv,
        sum(coalesce(lives.orders, 0)) as live_orders,
        {{ sum_if_complete('case when lives.shop_id is null then 0 else lives.gmv end') }} as live_gmv,
        sum(coalesce(ads.orders, 0)) as ads_orders,
        {{ sum_if_complete('case when ads.shop_id is null then 0 else ads.gmv end') }} as ads_gmv
    from shop_days
    left join videos on shop_days.shop_id = videos.shop_id and shop_days.local_date = videos.local_date
    left join lives on shop_days.shop_id = lives.shop_id and shop_days.local_date = lives.local_date
    left join ads on shop_days.shop_id = ads.shop_id and shop_days.local_date = ads.local_date
    group by shop_days.shop_id, shop_days.market, shop_days.region, shop_days.period_start
),

first_period as (
    select min(period_start) as period_start from shop_periods
),

shop_pairs as (
    -- Each shop period against its comparison period; a shop without a row then had no data
    -- yet in the warehouse: zero sales, zero visitors.
    {%- for comparison, days_back in comparisons.items() %}
    select
        cast('{{ comparison }}' as {{ dbt.type_string() }}) as comparison,
        cur.shop_id,
        cur.market,
        cur.region,
        cur.period_start,
        cast({{ dbt.dateadd('day', -days_back, 'cur.period_start') }} as date) as comparison_period_start,
        cur.days,
        case when base.shop_id is null then 0 else base.days end as comparison_days,
        {%- for column in ['visitors', 'orders', 'gmv', 'video_orders', 'video_gmv', 'live_orders', 'live_gmv', 'ads_orders', 'ads_gmv'] %}
        cur.{{ column }} as {{ column }}_1,
        case when base.shop_id is null then 0 else base.{{ column }} end as {{ column }}_0{{ ',' if not loop.last }}
        {%- endfor %}
    from shop_periods as cur
    cross join first_period
    left join shop_periods as base
        on cur.shop_id = base.shop_id
        and base.period_start = cast({{ dbt.dateadd('day', -days_back, 'cur.period_start') }} as date)
    where cast({{ dbt.dateadd('day', -days_back, 'cur.period_start') }} as date) >= first_period.period_start
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

{%- set summed = ['visitors', 'gmv', 'video_gmv', 'live_gmv', 'ads_gmv'] %}
{%- set counted = ['orders', 'video_orders', 'live_orders', 'ads_orders'] %}
scope_pairs as (
    select
        comparison, period_start, comparison_period_start, 'shop' as scope_type, shop_id as scope_id,
        market as parent_scope_id, days, comparison_days,
        {%- for column in summed + counted %}
        {{ column }}_1, {{ column }}_0{{ ',' if not loop.last }}
        {%- endfor %}
    from shop_pairs
    {%- for scope_type, scope_id, parent in [('market', 'market', 'max(region)'), ('region', 'region', "'ALL'"), ('seller', "'ALL'", 'null')] %}
    union all
    select
        comparison, period_start, max(comparison_period_start), '{{ scope_type }}', {{ scope_id }},
        cast({{ parent }} as {{ dbt.type_string() }}), min(days), min(comparison_days),
        {%- for column in summed %}
        {{ sum_if_complete(column ~ '_1') }}, {{ sum_if_complete(column ~ '_0') }},
        {%- endfor %}
        {%- for column in counted %}
        sum({{ column }}_1), sum({{ column }}_0){{ ',' if not loop.last }}
        {%- endfor %}
    from shop_pairs
    group by comparison, period_start{{ ', ' ~ scope_id if scope_type in ('market', 'region') }}
    {%- endfor %}
),

metrics as (
    {%- for metric in ['gmv', 'orders'] %}
    select
        comparison, period_start, comparison_period_start, scope_type, scope_id, parent_scope_id, days, comparison_days,
        '{{ metric }}' as metric,
        {{ "'" ~ var('reporting_currency') ~ "'" if metric == 'gmv' else "'orders'" }} as unit,
        {{ metric }}_1 as value_1, {{ metric }}_0 as value_0,
        visitors_1, visitors_0, orders_1, orders_0, gmv_1, gmv_0,
        video_{{ metric }}_1 - video_{{ metric }}_0 as video_change,
        live_{{ metric }}_1 - live_{{ metric }}_0 as live_change,
        ads_{{ metric }}_1 - ads_{{ metric }}_0 as ads_change
    from scope_pairs
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

ratios as (
    -- A ratio without a denominator (no visitors, no orders) takes the other period's, so
    -- that factor did not move: a day without orders moves GMV through conversion alone.
    select
        *,
        value_1 - value_0 as change,
        case
            when value_1 is null or value_0 is null then 'no_fx_rate'
            when visitors_1 is null or visitors_0 is null then 'not_published'
            when (visitors_1 = 0 and orders_1 > 0) or (visitors_0 = 0 and orders_0 > 0) then 'orders_without_visitors'
            else 'complete'
        end as split_status,
        case when visitors_1 > 0 then {{ rounded_division('orders_1', 'visitors_1', 12) }} end as conversion_1,
        case when visitors_0 > 0 then {{ rounded_division('orders_0', 'visitors_0', 12) }} end as conversion_0,
        case when orders_1 > 0 then {{ rounded_division('gmv_1', 'orders_1', 10) }} end as aov_1,
        case when orders_0 > 0 then {{ rounded_division('gmv_0', 'orders_0', 10) }} end as aov_0
    from metrics
),

filled as (
    select
        *,
        coalesce(conversion_1, conversion_0, 0) as y1,
        coalesce(conversion_0, conversion_1, 0) as y0,
        coalesce(aov_1, aov_0, 0) as z1,
        coalesce(aov_0, aov_1, 0) as z0
    from ratios
),

exact_factors as (
    select
        *,
        case
            when split_status != 'complete' then null
            when metric = 'gmv' then {{ shapley_three_factor('visitors_0', 'visitors_1', 'y0', 'y1', 'z0', 'z1') }}
            else {{ shapley_two_factor('visitors_0', 'visitors_1', 'y0', 'y1') }}
        end as traffic_exact,
        case
            when split_status != 'complete' then null
            when metric = 'gmv' then {{ shapley_three_factor('y0', 'y1', 'visitors_0', 'visitors_1', 'z0', 'z1') }}
        end as conversion_gmv_exact
    from filled
),

exact_parts as (
    -- The last factor is the change less the others: the exact parts sum to the change.
    select
        *,
        case when metric = 'gmv' then conversion_gmv_exact else change - traffic_exact end as conversion_exact,
        case when metric = 'gmv' then change - traffic_exact - conversion_gmv_exact else 0 end as aov_exact
    from exact_factors
),

{%- set parts = ['traffic_exact', 'conversion_exact', 'aov_exact'] %}
rounded as (
    select
        *,
        {%- for name in ['traffic', 'conversion', 'aov'] %}
        {{ largest_remainder_rounded(parts, loop.index0, 2) }} as {{ name }}_contribution,
        {%- endfor %}
        case when split_status in ('complete', 'orders_without_visitors') then video_change end as video_contribution,
        case when split_status in ('complete', 'orders_without_visitors') then live_change end as live_contribution,
        case when split_status in ('complete', 'orders_without_visitors') then change - video_change - live_change end
            as product_card_contribution
    from exact_parts
),

ranked as (
    select
        *,
        case when parent_scope_id is not null then row_number() over (
            partition by comparison, period_start, parent_scope_id, metric
            order by change asc nulls last, scope_id
        ) end as rank_in_parent
    from rounded
),

falling_children as (
    select comparison, period_start, parent_scope_id, metric, scope_id as bottleneck_sub_scope
    from ranked
    where rank_in_parent = 1 and change < 0
),

final as (
    select
        cast(ranked.period_start as date) as period_start,
        cast(ranked.comparison as {{ dbt.type_string() }}) as comparison,
        cast(ranked.comparison_period_start as date) as comparison_period_start,
        cast(ranked.days as bigint) as days_in_period,
        cast(ranked.comparison_days as bigint) as comparison_days_in_period,
        cast(ranked.scope_type as {{ dbt.type_string() }}) as scope_type,
        cast(ranked.scope_id as {{ dbt.type_string() }}) as scope_id,
        cast(ranked.parent_scope_id as {{ dbt.type_string() }}) as parent_scope_id,
        cast(ranked.metric as {{ dbt.type_string() }}) as metric,
        cast(ranked.unit as {{ dbt.type_string() }}) as unit,
        cast(ranked.value_1 as decimal(18, 2)) as current_value,
        cast(ranked.value_0 as decimal(18, 2)) as comparison_value,
        cast(ranked.change as decimal(18, 2)) as change,
        cast(ranked.split_status as {{ dbt.type_string() }}) as split_status,
        cast(ranked.visitors_1 as bigint) as current_visitors,
        cast(ranked.visitors_0 as bigint) as comparison_visitors,
        {{ aov('ranked.gmv_1', 'ranked.orders_1') }} as current_aov_amount_reporting,
        {{ aov('ranked.gmv_0', 'ranked.orders_0') }} as comparison_aov_amount_reporting,
        cast({{ conversion_rate('ranked.orders_1', 'ranked.visitors_1') }} as decimal(18, 6)) as current_conversion_rate,
        cast({{ conversion_rate('ranked.orders_0', 'ranked.visitors_0') }} as decimal(18, 6)) as comparison_conversion_rate,
        ranked.traffic_contribution,
        ranked.conversion_contribution,
        case when ranked.metric = 'gmv' then ranked.aov_contribution end as aov_contribution,
        cast(ranked.video_contribution as decimal(18, 2)) as video_contribution,
        cast(ranked.live_contribution as decimal(18, 2)) as live_contribution,
        cast(ranked.product_card_contribution as decimal(18, 2)) as product_card_contribution,
        cast(ranked.ads_change as decimal(18, 2)) as ads_attributed_change,
        cast(ranked.rank_in_parent as bigint) as rank_in_parent,
        cast({{ most_negative({'traffic': 'ranked.traffic_contribution', 'conversion': 'ranked.conversion_contribution', 'aov': "case when ranked.metric = 'gmv' then ranked.aov_contribution end"}) }}
            as {{ dbt.type_string() }}) as bottleneck_factor,
        cast({{ most_negative({'video': 'ranked.video_contribution', 'live': 'ranked.live_contribution', 'product_card': 'ranked.product_card_contribution'}) }}
            as {{ dbt.type_string() }}) as bottleneck_channel,
        cast(falling_children.bottleneck_sub_scope as {{ dbt.type_string() }}) as bottleneck_sub_scope
    from ranked
    left join falling_children
        on ranked.comparison = falling_children.comparison
        and ranked.period_start = falling_children.period_start
        and ranked.scope_id = falling_children.parent_scope_id
        and ranked.metric = falling_children.metric
        and ranked.scope_type != 'shop'
)

select * from final

{% endmacro %}

{#- A region scope of the drivers marts: the KPI configuration's region id of the shop
    (dim_shops.region_id, the id BI access and the region folders filter on), 'unassigned'
    for a shop the newest configuration puts in no region, so every market still adds up into
    a region and the regions into the seller. -#}
{% macro driver_region_id(shops) -%}
coalesce({{ shops }}.region_id, 'unassigned')
{%- endmacro %}
