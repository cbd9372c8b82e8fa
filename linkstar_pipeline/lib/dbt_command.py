"""dbt's command line with the warehouse path left out of dbt's parse-cache key.

dbt keeps the parsed project (`partial_parse.msgpack`) and reuses it while nothing that can
change a parse has changed; one of the things it compares is the profile's connection details,
which include the DuckDB `path`. LinkStar's path is `$LINKSTAR_HOME/warehouse.duckdb`, so every
home (each test, each seller folder) threw the cache away and paid a full parse: ~10 s of CPU
per dbt command, about a third of a small build. The path never changes what a node compiles
to (no model, macro or test reads `target.path`; tests/integration/test_dbt_parse_cache.py
proves a second home reuses the parse), so it is dropped from that comparison and from nothing
else: dbt still connects to the path the profile names.
"""

from __future__ import annotations

import sys

from dbt.adapters.duckdb.credentials import DuckDBCredentials

_NOT_PARSE_INPUTS = frozenset({"path"})


def _connection_keys_without_path(original):
    def keys(credentials: DuckDBCredentials) -> tuple[str, ...]:
        return tuple(key for key in original(credentials) if key not in _NOT_PARSE_INPUTS)

    return keys


def main() -> None:
    """Entry point of `linkstar-dbt`, used wherever LinkStar runs dbt."""
    from dbt.cli.main import cli

    original = DuckDBCredentials._connection_keys
    if "path" not in original(DuckDBCredentials(path="x.duckdb", database="x", schema="main")):
        raise SystemExit("linkstar-dbt: dbt-duckdb no longer keys connections by 'path'; revisit")
    DuckDBCredentials._connection_keys = _connection_keys_without_path(original)
    sys.exit(cli())
