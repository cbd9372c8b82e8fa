{#- The body of kpi_drivers_items_daily and kpi_drivers_items_weekly, written once: the GMV
    changes of kpi_drivers_daily / kpi_drivers_weekly (each shop, market, region and the whole
    seller, against the same comparisons) split by creator, LIVE host and product, each split
    adding up EXACTLY to its whole. `period`: 'day' or 'week', as macro kpi_drivers.
    - creator: the video channel's change (video_contribution) over the creators whose videos
      sold, each the change of its fct_videos_daily GMV (exact sums, no rounding); the shop's
      own account is the item 'shop_account';
    - host: the LIVE channel's change (live_contribution) over the hosts whose sessions sold,
      each the change of its fct_live_sessions GMV (exact sums, as creators);
    - product: the scope's whole GMV change over the products sold. Line GMV converted line by
      line does not add up to the shop's reporting GMV (that is converted per shop day, and
      order vouchers belong to no line), so the shop's change is cut in proportion to each
      product's change of line GMV in the shop's currency, in cents by largest remainders
      (macro largest_remainder_part). A product belongs to one shop, so its part in a market,
      region or the seller is its shop's.
    Rules and why: docs/kpi_management.md section 8. -#}
{% macro kpi_drivers_items(period) %}

{%- set scopes = [('shop', 'shops.shop_id'), ('market', 'shops.market'), ('region', driver_region_id('shops')), ('seller', "'ALL'")] %}
{%- set wholes = item_split_wholes() %}

with changes as (
    select period_start, comparison, comparison_period_start, scope_type, scope_id, {{ wholes.values() | join(', ') }}
    from {{ ref('kpi_drivers_daily' if period == 'day' else 'kpi_drivers_weekly') }}
    where metric = 'gmv'
),

shop_changes as (
    select period_start, comparison, comparison_period_start, scope_id as shop_id, change
    from changes
    where scope_type = 'shop'
),

shop_days as (
    -- The days kpi_drivers_* counts, each in its period: a sale on any other day is in no change.
    select
        shop_days.shop_id,
        shop_days.local_date,
        {{ 'shop_days.local_date' if period == 'day' else 'dim_dates.week_start' }} as period_start
    from {{ ref('kpi_shop_daily') }} as shop_days
    {%- if period != 'day' %}
    inner join {{ ref('dim_dates') }} as dim_dates on shop_days.local_date = dim_dates.local_date
    {%- endif %}
),

item_rows as (
    -- Creators and hosts: their channel's GMV in the reporting currency (the channel's own
    -- figures). Products: line GMV in the shop's currency, on the day the headline basis dates the sale.
    select
        'creator' as split_kind,
        shop_id,
        local_date,
        coalesce(creator_key, case when posted_by_type = 'shop_account' then 'shop_account' else 'unknown' end) as item_id,
        attributed_gmv_amount_reporting as gmv
    from {{ ref('fct_videos_daily') }}
    union all
    select 'host', shop_id, local_date, coalesce(host_username, 'unknown'), gmv_amount_reporting
    from {{ ref('fct_live_sessions') }}
    union all
    select 'product', lines.shop_id, orders.{{ sales_basis_local_date() }}, lines.product_id, lines.line_gmv_amount
    from {{ ref('fct_order_lines') }} as lines
    inner join {{ ref('fct_orders') }} as orders on lines.order_id = orders.order_id
    where orders.{{ sales_basis_column('counts_as') }}
),

item_periods as (
    select item_rows.split_kind, item_rows.shop_id, shop_days.period_start, item_rows.item_id, sum(item_rows.gmv) as gmv
    from item_rows
    inner join shop_days on item_rows.shop_id = shop_days.shop_id and item_rows.local_date = shop_days.local_date
    group by item_rows.split_kind, item_rows.shop_id, shop_days.period_start, item_rows.item_id
),

shop_items as (
    -- Each item's GMV in the period (gmv_1) and the comparison period (gmv_0) of a shop change;
    -- only the items that sold in one of them.
    select period_start, comparison, shop_id, split_kind, item_id, sum(gmv_1) as gmv_1, sum(gmv_0) as gmv_0
    from (
        select changes.period_start, changes.comparison, changes.shop_id, items.split_kind, items.item_id, items.gmv as gmv_1, 0 as gmv_0
        from shop_changes as changes
        inner join item_periods as items on changes.shop_id = items.shop_id and changes.period_start = items.period_start
        union all
        select changes.period_start, changes.comparison, changes.shop_id, items.split_kind, items.item_id, 0, items.gmv
        from shop_changes as changes
        inner join item_periods as items on changes.shop_id = items.shop_id and changes.comparison_period_start = items.period_start
    ) as sides
    group by period_start, comparison, shop_id, split_kind, item_id
    having sum(gmv_1) <> 0 or sum(gmv_0) <> 0
),

product_weights as (
    -- Weights in whole cents of the shop's currency, as largest_remainder_part needs them.
    select
        items.period_start,
        items.comparison,
        items.shop_id,
        items.item_id,
        shop_changes.change,
        cast((items.gmv_1 - items.gmv_0) * 100 as {{ dbt.type_bigint() }}) as weight,
        sum(cast((items.gmv_1 - items.gmv_0) * 100 as {{ dbt.type_bigint() }}))
            over (partition by items.period_start, items.comparison, items.shop_id) as total_weight
    from shop_items as items
    inner join shop_changes
        on items.period_start = shop_changes.period_start
        and items.comparison = shop_changes.comparison
        and items.shop_id = shop_changes.shop_id
    where items.split_kind = 'product'
),

shop_parts as (
    select period_start, comparison, shop_id, split_kind, item_id, gmv_1 - gmv_0 as contribution
    from shop_items
    where split_kind != 'product'
    union all
    select
        period_start, comparison, shop_id, 'product', item_id,
        {{ largest_remainder_part('change', 'weight', 'total_weight', 'period_start, comparison, shop_id', 'item_id', scale=2) }}
    from product_weights
    where total_weight <> 0 and change is not null
    union all
    -- The products' changes cancel out: no proportion to cut a change by (null), nothing to cut
    -- when the shop's GMV did not move either (0).
    select period_start, comparison, shop_id, 'product', item_id, case when change = 0 then 0 end
    from product_weights
    where total_weight = 0 and change is not null
),

scope_parts as (
    {%- for scope_type, scope_column in scopes %}
    select
        parts.period_start, parts.comparison, '{{ scope_type }}' as scope_type, {{ scope_column }} as scope_id,
        parts.split_kind, parts.item_id, {{ sum_if_complete('parts.contribution') }} as contribution
    from shop_parts as parts
    inner join {{ ref('dim_shops') }} as shops on parts.shop_id = shops.shop_id
    group by parts.period_start, parts.comparison, {{ scope_column }}, parts.split_kind, parts.item_id
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

split_parts as (
    -- A split exists where its whole does: the GMV change (products), the video or LIVE
    -- channel's change (creators, hosts; none before the period's content analytics are published).
    select parts.*, changes.comparison_period_start
    from scope_parts as parts
    inner join changes
        on parts.period_start = changes.period_start
        and parts.comparison = changes.comparison
        and parts.scope_type = changes.scope_type
        and parts.scope_id = changes.scope_id
    where case parts.split_kind
        {%- for kind, whole in wholes.items() %} when '{{ kind }}' then changes.{{ whole }}{% endfor %}
    end is not null
),

names as (
    select 'creator' as split_kind, creator_key as item_id, creator_username as item_name from {{ ref('dim_creators') }}
    union all
    select 'product', product_id, product_title from {{ ref('dim_products') }}
),

final as (
    select
        cast(parts.period_start as date) as period_start,
        cast(parts.comparison as {{ dbt.type_string() }}) as comparison,
        cast(parts.comparison_period_start as date) as comparison_period_start,
        cast(parts.scope_type as {{ dbt.type_string() }}) as scope_type,
        cast(parts.scope_id as {{ dbt.type_string() }}) as scope_id,
        cast(parts.split_kind as {{ dbt.type_string() }}) as split_kind,
        cast(parts.item_id as {{ dbt.type_string() }}) as item_id,
        -- A host has no id but its username: that is its name too.
        cast(case when parts.split_kind = 'host' and parts.item_id != 'unknown' then parts.item_id else names.item_name end
            as {{ dbt.type_string() }}) as item_name,
        cast(parts.contribution as decimal(18, 2)) as contribution_amount_reporting,
        cast(row_number() over (
            partition by parts.period_start, parts.comparison, parts.scope_type, parts.scope_id, parts.split_kind
            order by abs(parts.contribution) desc nulls last, parts.contribution, parts.item_id
        ) as {{ dbt.type_bigint() }}) as rank_in_split
    from split_parts as parts
    left join names on parts.split_kind = names.split_kind and parts.item_id = names.item_id
)

select * from final

{% endmacro %}

{#- Each split kind → the column of kpi_drivers_* its parts add up to (the model and test
    item_drivers_add_up_to_the_change). -#}
{% macro item_split_wholes() %}
    {{ return({'creator': 'video_contribution', 'host': 'live_contribution', 'product': 'change'}) }}
{% endmacro %}
