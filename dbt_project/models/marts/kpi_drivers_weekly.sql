{#- Why GMV and orders moved in an ISO week (Monday to Sunday of the shops' local days), per
    shop, market and the whole seller, against the week before: the same splits as
    kpi_drivers_daily (macros kpi_drivers and driver_formulas). The newest week may still be
    running (days_in_period below 7). -#}

{{ kpi_drivers('week', {'previous_week': 7, 'four_weeks_before': 28}) }}
