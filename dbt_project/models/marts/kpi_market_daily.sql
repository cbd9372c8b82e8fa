{#- The core shop KPIs per market and shop-local day, for headquarters' side-by-side
    comparison (macro roll_up_shop_days). The whole seller is kpi_seller_daily, not a row
    here: a BI tool's default sum over this mart is then the seller's total, never twice it. -#}

{{ roll_up_shop_days('market') }}
