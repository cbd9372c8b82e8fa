{#- Every split of a drivers mart (kpi_drivers_daily, kpi_drivers_weekly) adds up EXACTLY to
    its change: the factors (traffic + conversion, + AOV for GMV), the channels (video + LIVE +
    product card) and the sub-scopes (a market's shops, the seller's markets). A failing row
    names the split that does not. -#}
{% test drivers_add_up_to_the_change(model) %}
select 'factors' as split, period_start, comparison, scope_id, metric
from {{ model }}
where split_status = 'complete'
    and traffic_contribution + conversion_contribution + coalesce(aov_contribution, 0) <> change
union all
select 'channels', period_start, comparison, scope_id, metric
from {{ model }}
where video_contribution + live_contribution + product_card_contribution <> change
union all
select 'sub_scopes', parent.period_start, parent.comparison, parent.scope_id, parent.metric
from {{ model }} as parent
inner join {{ model }} as child
    on child.parent_scope_id = parent.scope_id
    and child.period_start = parent.period_start
    and child.comparison = parent.comparison
    and child.metric = parent.metric
    and parent.scope_type != 'shop'
group by parent.period_start, parent.comparison, parent.scope_id, parent.metric, parent.change
having {{ sum_if_complete('child.change') }} <> parent.change
    or ({{ sum_if_complete('child.change') }} is null) <> (parent.change is null)
{% endtest %}
