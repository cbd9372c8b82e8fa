{#- Who and what moved GMV in an ISO week: kpi_drivers_weekly's GMV changes split by creator,
    LIVE host and product, each split adding up EXACTLY to its whole (macro kpi_drivers_items;
    the rules and why in docs/kpi_management.md section 8). -#}

{{ kpi_drivers_items('week') }}
