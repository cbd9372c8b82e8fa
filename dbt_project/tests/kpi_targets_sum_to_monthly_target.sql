{#- Every sum-KPI target line's planned daily targets add up to its effective monthly target
    EXACTLY (telescoping rounding in kpi_targets_daily), and every month has all its days. -#}

select target_id, month_start, monthly_target_effective, sum(planned_daily_target) as planned_total, count(*) as days
from {{ ref('kpi_targets_daily') }}
where aggregation = 'sum'
group by target_id, month_start, monthly_target_effective
having sum(planned_daily_target) <> monthly_target_effective
    or count(*) <> {{ dbt.datediff('month_start', dbt.dateadd('month', 1, 'month_start'), 'day') }}
