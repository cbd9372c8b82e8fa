"""The short report `linkstar run` ends with, read from the published marts."""

from __future__ import annotations

import duckdb

from linkstar_pipeline.lib.paths import LinkstarPaths


def recent_sales_table(paths: LinkstarPaths, days: int = 7) -> str:
    serving = duckdb.connect(str(paths.serving_database), read_only=True)
    try:
        frame = serving.execute(
            """
            with recent as (
                select * from marts.kpi_shop_daily
                where local_date > (select max(local_date) from marts.kpi_shop_daily) - ?::integer
            )
            select shops.shop_name as shop, recent.market, recent.currency,
                   recent.local_date, recent.orders_paid, recent.gmv_paid,
                   recent.orders_delivered, recent.gmv_delivered
            from recent join marts.dim_shops as shops using (shop_id)
            order by shop, recent.local_date
            """,
            [days],
        ).df()
    finally:
        serving.close()
    if frame.empty:
        return "(no sales in the marts yet)"
    return frame.to_string(index=False)


def run_summary(paths: LinkstarPaths, days: int = 7) -> str:
    return "\n".join(
        [
            f"GMV and orders per shop, last {days} local days (local currency; paid and delivered bases):",
            recent_sales_table(paths, days),
            "",
            f"Warehouse (dbt's, do not point BI tools here): {paths.warehouse}",
            f"Marts for BI tools (open read-only):          {paths.serving_database}",
            f"                     or the Parquet files in:  {paths.serving_dir}",
            "Open the Dagster UI with the sandbox running:   make dev  (then http://127.0.0.1:3000)",
        ]
    )
