{#- The item splits of kpi_drivers_items_daily / _weekly add up EXACTLY to their wholes in
    `drivers` (kpi_drivers_daily's / _weekly's GMV rows): a scope period's products to its
    change, its creators to its video channel's change, its hosts to its LIVE channel's change.
    A failing row names the split: parts adding up to something else, parts without a whole,
    or a whole that moved with no parts. A split with an unknown part (the products' changes
    cancel out) is not added up. -#}
{% test item_drivers_add_up_to_the_change(model, drivers) %}
with wholes as (
    {%- for kind, whole in item_split_wholes().items() %}
    select period_start, comparison, scope_type, scope_id, '{{ kind }}' as split_kind, {{ whole }} as whole
    from {{ drivers }}
    where metric = 'gmv' and {{ whole }} is not null
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

parts as (
    select
        period_start, comparison, scope_type, scope_id, split_kind,
        sum(contribution_amount_reporting) as total,
        count(*) - count(contribution_amount_reporting) as unknown_parts
    from {{ model }}
    group by period_start, comparison, scope_type, scope_id, split_kind
)

select
    coalesce(wholes.period_start, parts.period_start) as period_start,
    coalesce(wholes.comparison, parts.comparison) as comparison,
    coalesce(wholes.scope_type, parts.scope_type) as scope_type,
    coalesce(wholes.scope_id, parts.scope_id) as scope_id,
    coalesce(wholes.split_kind, parts.split_kind) as split_kind,
    wholes.whole,
    parts.total
from wholes
full outer join parts
    on wholes.period_start = parts.period_start
    and wholes.comparison = parts.comparison
    and wholes.scope_type = parts.scope_type
    and wholes.scope_id = parts.scope_id
    and wholes.split_kind = parts.split_kind
where (parts.split_kind is null and wholes.whole <> 0)
    or wholes.split_kind is null
    or (parts.unknown_parts = 0 and parts.total <> wholes.whole)
{% endtest %}
