"""Land a validated configuration as version N of the raw kpi_config tables (design §2).

raw/kpi_config/<table>/v<N:06d>.jsonl.gz for every table, the verbatim YAML under
raw/kpi_config/files/v<N:06d>/, and an empty `_placeholder.jsonl.gz` per table so dbt compiles
before anything has landed. The `versions` file is written LAST: a version exists once its
versions file does, so a crash mid-landing leaves no half version that readers would pick up
(the next landing overwrites the orphaned files of the same number).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from linkstar_pipeline.lib.kpi_config.model import KpiConfig
from linkstar_pipeline.lib.kpi_config.normalize import (
    CONTENT_TABLES,
    TABLES,
    Rows,
    content_sha256,
    content_tables,
)
from linkstar_pipeline.lib.raw_landing import read_raw_rows, write_raw_file, write_raw_rows

SOURCE = "kpi_config"
PLACEHOLDER = "_placeholder"
METADATA_COLUMNS = ("config_version", "config_sha256", "loaded_at")
_VERSION_FILE = re.compile(r"^v(\d{6})\.jsonl\.gz$")


@dataclass(frozen=True)
class LandedVersion:
    version: int
    sha256: str
    loaded_at: str
    changes: str


@dataclass(frozen=True)
class LandingResult:
    landed: bool  # False: the content equals the newest landed version; nothing written
    version: int  # the version in force after this call
    sha256: str
    changes: str


def table_path(raw_dir: Path, table: str, version: int | None) -> Path:
    name = PLACEHOLDER if version is None else f"v{version:06d}"
    return raw_dir / SOURCE / table / f"{name}.jsonl.gz"


def ensure_placeholders(raw_dir: Path) -> None:
    for table in TABLES:
        path = table_path(raw_dir, table, None)
        if not path.exists():
            write_raw_rows(path, [])


def newest_landed(raw_dir: Path) -> LandedVersion | None:
    folder = raw_dir / SOURCE / "versions"
    numbers = sorted(
        int(match.group(1))
        for path in folder.glob("v*.jsonl.gz")
        if (match := _VERSION_FILE.match(path.name))
    )
    if not numbers:
        return None
    (row,) = read_raw_rows(table_path(raw_dir, "versions", numbers[-1]))
    return LandedVersion(
        row["config_version"], row["config_sha256"], row["loaded_at"], row["changes"]
    )


def read_landed_table(raw_dir: Path, table: str, version: int) -> Rows:
    """A landed table's rows without the three metadata columns."""
    return [
        {key: value for key, value in row.items() if key not in METADATA_COLUMNS}
        for row in read_raw_rows(table_path(raw_dir, table, version))
    ]


def describe_changes(old: dict[str, Rows] | None, new: dict[str, Rows]) -> str:
    """One line per changed table: rows added and removed (a changed row counts as both)."""
    if old is None:
        counts = ", ".join(f"{name} {len(new[name])}" for name in CONTENT_TABLES)
        return f"initial version: {counts}"
    lines = []
    for name in CONTENT_TABLES:
        before = {_canonical(row) for row in old.get(name, [])}
        after = {_canonical(row) for row in new[name]}
        if before != after:
            lines.append(f"{name}: +{len(after - before)} -{len(before - after)} rows")
    return "; ".join(lines) or "no content change"


def _canonical(row: dict) -> str:
    import json

    return json.dumps(row, sort_keys=True, ensure_ascii=False)


def land_config(
    config: KpiConfig,
    kpi_directions: dict[str, str],
    raw_dir: Path,
    loaded_at: datetime,
    git_commit: str | None = None,
) -> LandingResult:
    """Land `config` (already validated by rules.check_config) as a new version if its
    content differs from the newest landed version; otherwise write nothing."""
    ensure_placeholders(raw_dir)
    tables = content_tables(config, kpi_directions)
    sha = content_sha256(tables)
    previous = newest_landed(raw_dir)
    if previous is not None and previous.sha256 == sha:
        return LandingResult(False, previous.version, sha, previous.changes)
    old = None
    if previous is not None:
        old = {name: read_landed_table(raw_dir, name, previous.version) for name in CONTENT_TABLES}
    changes = describe_changes(old, tables)
    version = 1 if previous is None else previous.version + 1
    stamp = loaded_at.replace(tzinfo=None).isoformat(timespec="microseconds")
    metadata = {"config_version": version, "config_sha256": sha, "loaded_at": stamp}
    for name, content in config.files.items():
        write_raw_file(raw_dir / SOURCE / "files" / f"v{version:06d}" / name, content)
    for name in CONTENT_TABLES:
        write_raw_rows(
            table_path(raw_dir, name, version), [{**row, **metadata} for row in tables[name]]
        )
    versions_row = {
        "git_commit": git_commit,
        "source_dir": str(config.source_dir),
        "changes": changes,
        **metadata,
    }
    write_raw_rows(table_path(raw_dir, "versions", version), [versions_row])
    return LandingResult(True, version, sha, changes)
