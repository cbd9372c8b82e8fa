"""dbt's partial-parse state kept per LINKSTAR_HOME, so a build re-parses only what changed.

dbt skips re-parsing the project when `partial_parse.msgpack` in its target folder was written
for the same project files, variables and connection. The connection includes the warehouse
path, i.e. LINKSTAR_HOME, so the state dagster-dbt copies from `dbt_project/target` (written
when the definitions were loaded, possibly for another home) is thrown away whenever the
home differs, and each build parses all ~650 nodes again (~25 s on 2 cores). Keeping the
state of the last build of each home beside its warehouse makes the next build of that home
start warm. dbt itself checks the state and re-parses what it must: a stale or foreign
file costs one full parse, never a wrong build.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

PARTIAL_PARSE_FILE = "partial_parse.msgpack"


def warm_target(target_path: Path, cache_dir: Path) -> None:
    """Seed a new dbt target folder with the home's last parse state, when there is one."""
    cached = cache_dir / PARTIAL_PARSE_FILE
    if cached.exists():
        target_path.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, target_path / PARTIAL_PARSE_FILE)


def keep_parse_state(target_path: Path, cache_dir: Path) -> None:
    """Keep a finished invocation's parse state for the home's next build (atomic swap:
    a crash leaves the old state or the new one, never half a file)."""
    produced = target_path / PARTIAL_PARSE_FILE
    if not produced.exists():
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = cache_dir / f"{PARTIAL_PARSE_FILE}.{os.getpid()}.part"
    shutil.copyfile(produced, partial)
    os.replace(partial, cache_dir / PARTIAL_PARSE_FILE)
