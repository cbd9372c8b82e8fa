"""dbt run as its own process against a LINKSTAR_HOME, as the pipeline runs it (same project,
same profile), for tests that build or test a selection outside a Dagster run."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from linkstar_pipeline.defs.dbt.project import DBT_PROJECT_DIR, dbt_executable


def run_dbt(
    home: Path, *args: str, target_path: Path, expect_success: bool = True
) -> subprocess.CompletedProcess:
    """`dbt <args>` with LINKSTAR_HOME=home and its own target folder; fails the test with
    dbt's output when dbt fails (unless `expect_success` is False: a test that must fail)."""
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
