"""Where everything the pipeline writes lives: one folder, LINKSTAR_HOME (default ./data).

Resolved to an absolute path once and exported back into the environment, because dbt's
profile and source locations read LINKSTAR_HOME from the environment of the dbt process,
whose working directory is the dbt project, not the caller's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = "data"


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
    def dagster_home(self) -> Path:
        return self.home / "dagster"


def export_linkstar_home() -> Path:
    """Resolve LINKSTAR_HOME to an absolute path and export it, without creating anything."""
    home = Path(os.environ.get("LINKSTAR_HOME") or DEFAULT_HOME).expanduser().resolve()
    os.environ["LINKSTAR_HOME"] = str(home)
    return home


def linkstar_paths() -> LinkstarPaths:
    """Paths under LINKSTAR_HOME (created if missing), its absolute path exported."""
    home = export_linkstar_home()
    home.mkdir(parents=True, exist_ok=True)
    return LinkstarPaths(home=home)
