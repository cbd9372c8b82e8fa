"""Publish the marts for BI tools without ever letting them touch the warehouse file.

A BI tool that opens warehouse.duckdb — even read-only — locks dbt out of it, and dbt would
lock the BI tool out during every build. So each mart is copied to its own Parquet file
(written to a temporary name, then renamed: readers see the old or the new file, never half
of one), and serving/serving.duckdb holds only views over those files. Any number of BI
connections can open serving.duckdb read-only at once; its views read the current Parquet
files at query time, so long-lived connection pools see each refresh without reconnecting.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from linkstar_pipeline.lib.paths import LinkstarPaths

MARTS_SCHEMA = "marts"


@dataclass(frozen=True)
class PublishedMart:
    name: str
    rows: int
    path: Path


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _mart_tables(warehouse: duckdb.DuckDBPyConnection) -> list[str]:
    rows = warehouse.execute(
        "select table_name from information_schema.tables "
        "where table_schema = ? and table_type = 'BASE TABLE' order by table_name",
        [MARTS_SCHEMA],
    ).fetchall()
    return [name for (name,) in rows]


def _export_parquet(warehouse: duckdb.DuckDBPyConnection, table: str, target: Path) -> int:
    temporary = target.with_name(f".{target.name}.tmp")
    warehouse.execute(
        f"copy {MARTS_SCHEMA}.{_quote(table)} to {_literal(str(temporary))} (format parquet, compression zstd)"
    )
    os.replace(temporary, target)
    (rows,) = warehouse.execute(f"select count(*) from {MARTS_SCHEMA}.{_quote(table)}").fetchone()
    return int(rows)


def _write_serving_database(target: Path, marts: list[PublishedMart]) -> None:
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.unlink(missing_ok=True)
    serving = duckdb.connect(str(temporary))
    try:
        serving.execute(f"create schema {MARTS_SCHEMA}")
        for mart in marts:
            serving.execute(
                f"create view {MARTS_SCHEMA}.{_quote(mart.name)} as "
                f"select * from read_parquet({_literal(str(mart.path))})"
            )
    finally:
        serving.close()
    os.replace(temporary, target)


def publish_marts(paths: LinkstarPaths) -> list[PublishedMart]:
    """Copy every table of schema `marts` to serving/; call with the warehouse lock held."""
    paths.serving_dir.mkdir(parents=True, exist_ok=True)
    warehouse = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        published = [
            PublishedMart(name=table, rows=_export_parquet(warehouse, table, path), path=path)
            for table in _mart_tables(warehouse)
            for path in [paths.serving_dir / f"{table}.parquet"]
        ]
    finally:
        warehouse.close()
    _write_serving_database(paths.serving_database, published)
    return published
