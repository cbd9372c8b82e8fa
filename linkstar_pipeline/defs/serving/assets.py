"""The marts as BI tools read them: serving/serving.duckdb, serving/<mart>.parquet, one folder
per region, and PostgreSQL with the organisation's roles when LINKSTAR_POSTGRES_URL is set."""

import dagster as dg

# The module, not its assets: names imported here would be loaded as this module's assets too.
from linkstar_pipeline.defs.dbt import assets as dbt_assets
from linkstar_pipeline.defs.dbt.project import dbt_project
from linkstar_pipeline.lib.clock import pipeline_today
from linkstar_pipeline.lib.freshness import DAILY_FRESHNESS
from linkstar_pipeline.lib.kpi_config.loader import load_config
from linkstar_pipeline.lib.kpi_config.validate import default_config_dir
from linkstar_pipeline.lib.mart_docs import mart_docs
from linkstar_pipeline.lib.paths import linkstar_paths
from linkstar_pipeline.lib.postgres_serving import (
    POSTGRES_CHECK,
    PostgresPublishError,
    postgres_url,
    publish_to_postgres,
)
from linkstar_pipeline.lib.region_folders import publish_region_folders
from linkstar_pipeline.lib.serving import MARTS_SCHEMA, publish_marts
from linkstar_pipeline.lib.warehouse_lock import warehouse_lock

MART_KEYS = [
    spec.key for spec in dbt_assets.linkstar_dbt_models.specs if spec.group_name == "marts"
]
PUBLISHED_MARTS = dg.AssetKey(["serving", "published_marts"])


# A multi-asset only so the check may go unreported: without LINKSTAR_POSTGRES_URL nothing is
# published to PostgreSQL, and a check shown as passed would say otherwise.
@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            PUBLISHED_MARTS,
            deps=MART_KEYS,
            group_name="serving",
            kinds={"duckdb", "parquet", "postgres"},
            freshness_policy=DAILY_FRESHNESS,
            skippable=False,
            description=(
                "Every mart copied, with its dbt descriptions as comments, into a new "
                "self-contained serving/serving.duckdb (DuckDB 1.0+ storage) swapped in by one "
                "rename, so a BI reader sees one whole publish; to serving/<mart>.parquet for "
                "file-based BI, with one folder per region (serving/regions/<region>/) holding "
                "what that region's lead may read; and, with LINKSTAR_POSTGRES_URL set, to "
                "PostgreSQL with the organisation's roles and row-level security."
            ),
        )
    ],
    check_specs=[
        dg.AssetCheckSpec(
            POSTGRES_CHECK,
            asset=PUBLISHED_MARTS,
            description=(
                "The same publish reached PostgreSQL (LINKSTAR_POSTGRES_URL) in one transaction "
                "with the roles of kpi_config/organisation.yml; a failure leaves PostgreSQL's "
                "previous publish and never stops the DuckDB and Parquet publish. Not evaluated "
                "when LINKSTAR_POSTGRES_URL is unset."
            ),
        )
    ],
    can_subset=True,
    pool=dbt_assets.WAREHOUSE_POOL,
)
def published_marts(context: dg.AssetExecutionContext):
    paths = linkstar_paths()
    docs = mart_docs(dbt_project.manifest_path, MARTS_SCHEMA)
    with warehouse_lock(paths):
        publish = publish_marts(paths, docs)
    config = load_config(default_config_dir())  # after: a broken file never holds DuckDB back
    regions = publish_region_folders(paths.serving_database, config)
    undocumented = {
        m.name: list(m.undocumented_columns) for m in publish.marts if m.undocumented_columns
    }
    if undocumented:
        context.log.warning(f"Published without a description (no comment for BI): {undocumented}")
    context.log.info(f"Published {len(publish.marts)} marts to {paths.serving_dir}")
    yield dg.MaterializeResult(
        metadata={
            "publish_id": publish.publish_id,
            "serving_database": dg.MetadataValue.path(str(paths.serving_database)),
            "rows_per_mart": dg.MetadataValue.json({m.name: m.rows for m in publish.marts}),
            "undocumented_columns": dg.MetadataValue.json(undocumented),
            "marts_per_region_folder": dg.MetadataValue.json(
                {region: len(marts) for region, marts in regions.items()}
            ),
        }
    )
    url = postgres_url()
    if url and context.selected_asset_check_keys:
        yield _publish_to_postgres(context, url, paths, docs, config)


def _publish_to_postgres(context, url, paths, docs, config) -> dg.AssetCheckResult:
    """The check's outcome: a failed PostgreSQL publish is reported, the asset still lands."""
    try:
        published = publish_to_postgres(url, paths.serving_database, docs, config, pipeline_today())
    except PostgresPublishError as error:
        context.log.error(str(error))
        return dg.AssetCheckResult(
            check_name=POSTGRES_CHECK,
            passed=False,
            severity=dg.AssetCheckSeverity.ERROR,
            description=str(error),
            metadata={"target": error.target},
        )
    context.log.info(f"Published {len(published.rows_per_mart)} marts to {published.target}")
    return dg.AssetCheckResult(
        check_name=POSTGRES_CHECK,
        passed=True,
        metadata={
            "target": published.target,
            "publish_id": published.publish_id,
            "rows_per_mart": dg.MetadataValue.json(published.rows_per_mart),
            "readers": dg.MetadataValue.json(published.readers),
            "revoked": dg.MetadataValue.json(published.revoked),
        },
    )
