"""The marts as BI tools read them: serving/<mart>.parquet and serving/serving.duckdb."""

import dagster as dg

# The module, not its assets: names imported here would be loaded as this module's assets too.
from linkstar_pipeline.defs.dbt import assets as dbt_assets
from linkstar_pipeline.lib.freshness import DAILY_FRESHNESS
from linkstar_pipeline.lib.paths import linkstar_paths
from linkstar_pipeline.lib.serving import publish_marts
from linkstar_pipeline.lib.warehouse_lock import warehouse_lock

MART_KEYS = [
    spec.key for spec in dbt_assets.linkstar_dbt_models.specs if spec.group_name == "marts"
]


@dg.asset(
    key=["serving", "published_marts"],
    deps=MART_KEYS,
    group_name="serving",
    kinds={"duckdb", "parquet"},
    freshness_policy=DAILY_FRESHNESS,
    pool=dbt_assets.WAREHOUSE_POOL,
    description=(
        "Every mart copied to its own Parquet file and exposed as views in serving/serving.duckdb, "
        "which BI tools open read-only; swapped atomically so readers never see a half-built mart."
    ),
)
def published_marts(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    paths = linkstar_paths()
    with warehouse_lock(paths):
        marts = publish_marts(paths)
    context.log.info(f"Published {len(marts)} marts to {paths.serving_dir}")
    return dg.MaterializeResult(
        metadata={
            "serving_database": dg.MetadataValue.path(str(paths.serving_database)),
            "rows_per_mart": dg.MetadataValue.json({mart.name: mart.rows for mart in marts}),
        }
    )
