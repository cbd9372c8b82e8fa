{#- Why GMV and orders moved on a day, per shop, market and the whole seller: the change
    against the previous day, the same weekday a week before and four weeks before (month on
    month with the same weekday mix), split by factor (traffic × conversion × AOV), by channel and by scope, each split adding up exactly to the change
    (macros kpi_drivers and driver_formulas; the method and why in docs/kpi_management.md). -#}

{{ kpi_drivers('day', {'previous_day': 1, 'same_weekday_last_week': 7, 'four_weeks_before': 28}) }}
