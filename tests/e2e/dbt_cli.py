"""dbt run as its own process against a LINKSTAR_HOME, as the pipeline runs it (same project,
same profile), for tests that build or test a selection outside a Dagster run."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from linkstar_pipeline.defs.dbt.project import DBT_PROJECT_DIR, dbt_executable, dbt_project

PARSE_CACHE = "partial_parse.msgpack"


def run_dbt(
    home: Path, *args: str, target_path: Path, expect_success: bool = True
) -> subprocess.CompletedProcess:
    """`dbt <args>` with LINKSTAR_HOME=home and its own target folder; fails the test with
    dbt's output when dbt fails (unless `expect_success` is False: a test that must fail).
    A new target folder starts with the project's parse, as dagster-dbt's do: dbt re-parses
    only what changed, not the whole project (~10 s of CPU per command)."""
    _start_from_the_projects_parse(target_path)
    result = subprocess.run(
        [dbt_executable(), *args, "--profiles-dir", ".", "--target-path", str(target_path)],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "LINKSTAR_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0 or not expect_success, result.stdout[-4000:]
    return result


def _start_from_the_projects_parse(target_path: Path) -> None:
    project_parse = Path(dbt_project.project_dir) / dbt_project.target_path / PARSE_CACHE
    if project_parse.exists() and not (target_path / PARSE_CACHE).exists():
        target_path.mkdir(parents=True, exist_ok=True)
        shutil.copy(project_parse, target_path / PARSE_CACHE)
