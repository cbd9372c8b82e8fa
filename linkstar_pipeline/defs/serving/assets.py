"""The marts as BI tools read them: serving/<mart>.parquet and serving/serving.duckdb."""

import dagster as dg

from linkstar_pipeline.defs.dbt.assets import WAREHOUSE_POOL, linkstar_dbt_models
from linkstar_pipeline.lib.paths import linkstar_paths
from linkstar_pipeline.lib.serving import publish_marts
from linkstar_pipeline.lib.warehouse_lock import warehouse_lock

MART_KEYS = [spec.key for spec in linkstar_dbt_models.specs if spec.group_name == "marts"]


@dg.asset(
    key=["serving", "published_marts"],
    deps=MART_KEYS,
    group_name="serving",
    kinds={"duckdb", "parquet"},
    pool=WAREHOUSE_POOL,
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
