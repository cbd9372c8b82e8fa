"""The raw folders dbt's sources read, taken from the manifest (one truth: the sources' YAML).

Every source's `external_location` reads `<LINKSTAR_HOME>/raw/<source>/<table>/*.jsonl.gz`;
before a build each such folder gets a placeholder if nothing has ever landed there, so a
source that failed or is not configured on its first night leaves its staging models empty
instead of stopping the build of every other mart.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from linkstar_pipeline.lib.raw_landing import ensure_readable_feed

_RAW_GLOB = re.compile(r"/raw/([^'\"]+)/\*\.jsonl\.gz")


def raw_feed_folders(manifest_path: Path, raw_dir: Path) -> list[Path]:
    """The folder under `raw_dir` of every JSON-lines source in the dbt manifest."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    folders = []
    for source in manifest["sources"].values():
        location = (source.get("source_meta") or {}).get("external_location") or (
            source.get("meta") or {}
        ).get("external_location", "")
        match = _RAW_GLOB.search(location)
        if match:
            relative = match.group(1).replace("$name", source["name"])
            folders.append(raw_dir / relative)
    return sorted(set(folders))


def ensure_every_feed_readable(manifest_path: Path, raw_dir: Path) -> list[Path]:
    """Placeholders where no raw file has landed yet; returns the folders that got one."""
    return [f for f in raw_feed_folders(manifest_path, raw_dir) if ensure_readable_feed(f)]
