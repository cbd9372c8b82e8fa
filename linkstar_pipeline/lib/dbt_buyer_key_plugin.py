"""dbt-duckdb plugin: the DuckDB function `linkstar_buyer_key(user_id)` inside dbt's process.

Registered from `profiles.yml` (`plugins:`), so the keyed hash runs in Python with the secret
held in memory: the compiled SQL in `target/` only says `linkstar_buyer_key(...)`, and no
secret reaches dbt's logs, manifest or Dagster's metadata. NULL in, NULL out.
"""

from __future__ import annotations

from pathlib import Path

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from linkstar_pipeline.lib.buyer_key import buyer_key, buyer_key_secret
from linkstar_pipeline.lib.paths import export_linkstar_home

FUNCTION_NAME = "linkstar_buyer_key"


class Plugin(BasePlugin):
    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        # Read at connection time, not at import: `dbt parse` opens no connection and must
        # not create the secret file.
        secret = buyer_key_secret(Path(export_linkstar_home()))
        conn.create_function(
            FUNCTION_NAME,
            lambda user_id: buyer_key(user_id, secret),
            ["VARCHAR"],
            "VARCHAR",
            side_effects=False,
        )
