"""KPI configuration: the files in kpi_config/ validated and landed as versioned raw tables.

One multi-asset lands every table of design §2 at once (a version is all tables or none), keyed
["kpi_config", <table>] so the dbt source `kpi_config.<table>` maps onto it. An INVALID
configuration does not fail the run: nothing lands, the last valid version stays in force for
dbt, and the `kpi_config_valid` check fails with every problem, so the rest of the warehouse
still refreshes while the ops lead fixes the files.
"""

import subprocess

import dagster as dg

from linkstar_pipeline.lib.clock import pipeline_now
from linkstar_pipeline.lib.kpi_config.landing import land_config, newest_landed
from linkstar_pipeline.lib.kpi_config.model import KpiConfigError
from linkstar_pipeline.lib.kpi_config.normalize import TABLES
from linkstar_pipeline.lib.kpi_config.validate import (
    REPO_ROOT,
    default_config_dir,
    validate_config_dir,
)
from linkstar_pipeline.lib.paths import linkstar_paths

GROUP = "kpi_config"
CHECK_NAME = "kpi_config_valid"
CHECKED_TABLE = "versions"


def _git_commit() -> str | None:
    """The repository commit the files were read at, when the config lives in a git checkout."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            [GROUP, table],
            group_name=GROUP,
            kinds={"python", "yaml"},
            description=f"KPI configuration table `{table}`: raw/kpi_config/{table}/v<N>.jsonl.gz",
        )
        for table in TABLES
    ],
    check_specs=[
        dg.AssetCheckSpec(
            CHECK_NAME,
            asset=[GROUP, CHECKED_TABLE],
            description="The kpi_config/ files pass every rule (names file, line, key and rule).",
        )
    ],
    can_subset=False,
)
def kpi_config_tables(context: dg.AssetExecutionContext):
    raw_dir = linkstar_paths().raw_dir
    config_dir = default_config_dir()
    now = pipeline_now()
    try:
        valid = validate_config_dir(config_dir, raw_dir, now.date())
    except KpiConfigError as error:
        yield from _invalid(context, raw_dir, str(config_dir), error)
        return
    result = land_config(
        valid.config, valid.references.kpi_directions, raw_dir, now, git_commit=_git_commit()
    )
    verb = "Landed new" if result.landed else "Unchanged; in force:"
    context.log.info(f"{verb} KPI config version {result.version} from {config_dir}")
    metadata = {
        "valid": True,
        "version": result.version,
        "landed_new_version": result.landed,
        "sha256": result.sha256,
        "changes": result.changes,
        "config_dir": str(config_dir),
    }
    for table in TABLES:
        yield dg.MaterializeResult(asset_key=[GROUP, table], metadata=metadata)
    yield dg.AssetCheckResult(
        check_name=CHECK_NAME,
        asset_key=[GROUP, CHECKED_TABLE],
        passed=True,
        metadata={"version": result.version, "sha256": result.sha256},
    )


def _invalid(context, raw_dir, config_dir: str, error: KpiConfigError):
    in_force = newest_landed(raw_dir)
    version = in_force.version if in_force else 0
    context.log.error(f"{error}\nVersion in force stays {version or 'none'}.")
    problems = "\n".join(error.problems)
    metadata = {
        "valid": False,
        "version": version,
        "landed_new_version": False,
        "problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in error.problems)),
        "config_dir": config_dir,
    }
    for table in TABLES:
        yield dg.MaterializeResult(asset_key=[GROUP, table], metadata=metadata)
    yield dg.AssetCheckResult(
        check_name=CHECK_NAME,
        asset_key=[GROUP, CHECKED_TABLE],
        passed=False,
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"{len(error.problems)} problem(s); version in force: {version or 'none'}",
        metadata={"problem_count": len(error.problems), "problems": problems, "version": version},
    )
