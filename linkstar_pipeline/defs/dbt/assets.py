"""All dbt models and seeds as one `dbt build`, the warehouse's only writer.

`pool="warehouse"` queues runs launched by the Dagster daemon behind one another; the file
lock covers runs launched anywhere else (CLI, tests). Staging dedupes across every landed
partition, so one build over all raw files is always correct; models are not partitioned.
dbt unit tests are left out: their inputs are fixed rows, so they say nothing new about a
night's data; CI runs them (`make dbt-unit-tests`, tests/e2e/test_dbt_unit_tests.py), as dbt
recommends (dev and CI only, not production builds). dbt's console output goes to
$LINKSTAR_HOME/logs/dbt_build-<run id>.log (lib/dbt_console.py).
"""

import shutil

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from linkstar_pipeline.defs.dbt.project import dbt_project
from linkstar_pipeline.defs.dbt.translator import linkstar_dbt_translator
from linkstar_pipeline.lib.dbt_console import dbt_console_to
from linkstar_pipeline.lib.dbt_source_folders import ensure_every_feed_readable
from linkstar_pipeline.lib.orphaned_build import forget_build, note_build, stop_orphaned_build
from linkstar_pipeline.lib.paths import linkstar_paths
from linkstar_pipeline.lib.warehouse_lock import warehouse_lock

WAREHOUSE_POOL = "warehouse"
BUILD_ARGS = ("--exclude-resource-type", "unit_test")


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=linkstar_dbt_translator,
    pool=WAREHOUSE_POOL,
)
def linkstar_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    paths = linkstar_paths()
    with warehouse_lock(paths):
        orphan = stop_orphaned_build(paths)
        if orphan is not None:
            context.log.warning(f"Stopped dbt process {orphan}, left running by a killed build")
        for folder in ensure_every_feed_readable(dbt_project.manifest_path, paths.raw_dir):
            context.log.warning(f"Nothing has landed in {folder} yet: its models will be empty")
        invocation = dbt.cli(["build", *BUILD_ARGS], context=context)
        note_build(paths, invocation.process.pid)
        build_log = paths.dbt_build_log(context.run_id)
        context.log.info(f"dbt's full output: {build_log}")
        from_cli = context.run.tags.get("linkstar/trigger") == "cli"
        try:
            with dbt_console_to(build_log, echo=not from_cli):
                yield from invocation.stream()
        finally:
            forget_build(paths)
    # dagster-dbt gives every invocation its own target folder; keep only failed ones to debug.
    shutil.rmtree(invocation.target_path, ignore_errors=True)
