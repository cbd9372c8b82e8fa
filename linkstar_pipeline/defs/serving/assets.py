"""The marts as BI tools read them: serving/serving.duckdb and serving/<mart>.parquet."""

import dagster as dg

# The module, not its assets: names imported here would be loaded as this module's assets too.
from linkstar_pipeline.defs.dbt import assets as dbt_assets
from linkstar_pipeline.defs.dbt.project import dbt_project
from linkstar_pipeline.lib.freshness import DAILY_FRESHNESS
from linkstar_pipeline.lib.mart_docs import mart_docs
from linkstar_pipeline.lib.paths import linkstar_paths
from linkstar_pipeline.lib.serving import MARTS_SCHEMA, publish_marts
from linkstar_pipeline.lib.warehouse_lock import warehouse_lock

MART_KEYS = [
    spec.key for spec in dbt_assets.linkstar_dbt_models.specs if spec.group_name == "marts"
]
PUBLISHED_MARTS = dg.AssetKey(["serving", "published_marts"])


@dg.asset(
    key=PUBLISHED_MARTS,
    deps=MART_KEYS,
    group_name="serving",
    kinds={"duckdb", "parquet"},
    freshness_policy=DAILY_FRESHNESS,
    pool=dbt_assets.WAREHOUSE_POOL,
    description=(
        "Every mart copied, with its dbt descriptions as comments, into a new self-contained "
        "serving/serving.duckdb (DuckDB 1.0+ storage) swapped in by one rename, so a BI reader "
        "sees one whole publish; and to serving/<mart>.parquet for file-based BI."
    ),
)
def published_marts(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    paths = linkstar_paths()
    docs = mart_docs(dbt_project.manifest_path, MARTS_SCHEMA)
    with warehouse_lock(paths):
        publish = publish_marts(paths, docs)
    undocumented = {
        m.name: list(m.undocumented_columns) for m in publish.marts if m.undocumented_columns
    }
    if undocumented:
        context.log.warning(f"Published without a description (no comment for BI): {undocumented}")
    context.log.info(f"Published {len(publish.marts)} marts to {paths.serving_dir}")
    return dg.MaterializeResult(
        metadata={
            "publish_id": publish.publish_id,
            "serving_database": dg.MetadataValue.path(str(paths.serving_database)),
            "rows_per_mart": dg.MetadataValue.json({m.name: m.rows for m in publish.marts}),
            "undocumented_columns": dg.MetadataValue.json(undocumented),
        }
    )
