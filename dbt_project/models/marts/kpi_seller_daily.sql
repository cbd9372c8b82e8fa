{#- The core shop KPIs of the whole seller per date (macro roll_up_shop_days): its own mart,
    not an 'ALL' row of kpi_market_daily that a default sum would add to the markets, and
    with only reporting-currency money (markets sell in different currencies). -#}

{{ roll_up_shop_days() }}
