"""What each mart and mart column means, as written in the dbt yml, read from dbt's manifest.

The manifest (not the yml files) because dbt has already resolved `{{ doc() }}` blocks and
yml anchors there; the publish step turns these into COMMENTs, so a BI user sees them beside
the table and column without opening dbt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class MartDoc:
    description: str
    columns: dict[str, str] = field(default_factory=dict)


def mart_docs(manifest_path: Path, schema: str) -> dict[str, MartDoc]:
    """Every dbt model built into `schema`, by table name."""
    manifest = json.loads(Path(manifest_path).read_text())
    return {
        node["name"]: MartDoc(
            description=(node.get("description") or "").strip(),
            columns={
                name: (column.get("description") or "").strip()
                for name, column in node.get("columns", {}).items()
            },
        )
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == schema
    }
