"""Where everything the pipeline writes lives: one folder, LINKSTAR_HOME (default <project>/data).

A relative LINKSTAR_HOME (or LINKSTAR_KPI_CONFIG_DIR) is taken relative to the project folder
(the one holding pyproject.toml), never the current folder, so `linkstar` finds the same data
from any folder. Resolved to an absolute path once and exported back into the environment,
because dbt's profile and source locations read LINKSTAR_HOME from the environment of the dbt
process, whose working directory is the dbt project, not the caller's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_HOME = "data"


def project_path(value: str | os.PathLike[str]) -> Path:
    """An absolute path, with a relative one taken from the project folder (see above)."""
    path = Path(value).expanduser()
    return (path if path.is_absolute() else PROJECT_ROOT / path).resolve()


@dataclass(frozen=True)
class LinkstarPaths:
    home: Path

    @property
    def raw_dir(self) -> Path:
        """Immutable landed API pages: raw/<source>/<entity>/<partition>.jsonl.gz."""
        return self.home / "raw"

    @property
    def warehouse(self) -> Path:
        """The DuckDB file dbt builds; only dbt (under the warehouse lock) opens it."""
        return self.home / "warehouse.duckdb"

    @property
    def warehouse_lock(self) -> Path:
        return self.home / "warehouse.lock"

    @property
    def serving_dir(self) -> Path:
        """What BI tools read: one Parquet file per mart plus serving.duckdb (views)."""
        return self.home / "serving"

    @property
    def serving_database(self) -> Path:
        return self.serving_dir / "serving.duckdb"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    def dbt_build_log(self, run_id: str) -> Path:
        """dbt's full console output of one build's run (the CLI shows only a summary)."""
        return self.logs_dir / f"dbt_build-{run_id}.log"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"


def export_linkstar_home() -> Path:
    """Resolve LINKSTAR_HOME to an absolute path and export it, without creating anything."""
    home = project_path(os.environ.get("LINKSTAR_HOME") or DEFAULT_HOME)
    os.environ["LINKSTAR_HOME"] = str(home)
    return home


def linkstar_paths() -> LinkstarPaths:
    """Paths under LINKSTAR_HOME (created if missing), its absolute path exported."""
    home = export_linkstar_home()
    home.mkdir(parents=True, exist_ok=True)
    return LinkstarPaths(home=home)
