{#- Inventory KPI formulas written once (kpi_inventory_risk and anything else that shows them).
    Every division goes through safe_ratio: a zero denominator gives null, never infinity. -#}

{#- Sales velocity: average units sold per day over a window of `days` days. -#}
{% macro sales_velocity(units_sold, days) -%}
    cast({{ safe_ratio(units_sold, days, 4) }} as decimal(18, 4))
{%- endmacro %}

{#- Days of cover: how many days the units on hand last at a daily velocity (null at zero velocity). -#}
{% macro days_of_cover(units_on_hand, daily_velocity) -%}
    cast({{ safe_ratio(units_on_hand, daily_velocity, 2) }} as decimal(18, 2))
{%- endmacro %}

{#- Forecast stock-out date: the day the stock runs out at the current velocity (null without cover). -#}
{% macro stock_out_forecast_date(on_date, days_of_cover) -%}
    case when {{ days_of_cover }} is not null
        then cast({{ dbt.dateadd('day', 'cast(floor(' ~ days_of_cover ~ ') as integer)', on_date) }} as date)
    end
{%- endmacro %}

{#- Stock-out risk: still in stock but covered for no more than `horizon_days` days. -#}
{% macro is_stock_out_risk(units_on_hand, days_of_cover, horizon_days) -%}
    coalesce({{ units_on_hand }} > 0 and {{ days_of_cover }} <= {{ horizon_days }}, false)
{%- endmacro %}
