"""A Dagster instance under LINKSTAR_HOME, shared by `linkstar run` and `make dev`, so runs
started from the terminal show up in the UI's run history."""

from __future__ import annotations

import os

from linkstar_pipeline.lib.paths import LinkstarPaths

# One run at a time may hold the `warehouse` pool (every asset that opens warehouse.duckdb).
INSTANCE_CONFIG = """\
concurrency:
  pools:
    default_limit: 1
telemetry:
  enabled: false
"""


def ensure_dagster_home(paths: LinkstarPaths) -> str:
    home = os.environ.get("DAGSTER_HOME") or str(paths.dagster_home)
    os.makedirs(home, exist_ok=True)
    config = os.path.join(home, "dagster.yaml")
    if not os.path.exists(config):
        with open(config, "w", encoding="utf-8") as handle:
            handle.write(INSTANCE_CONFIG)
    os.environ["DAGSTER_HOME"] = home
    return home
