"""Publish the marts for BI tools without ever letting them touch the warehouse file.

A BI tool that opens warehouse.duckdb — even read-only — locks dbt out of it, and dbt would
lock the BI tool out during every build. So each publish copies every mart into a new,
self-contained DuckDB file and renames it over serving/serving.duckdb:

- one rename swaps every mart at once, so a connection sees one whole publish (its id is in
  `meta.publish`), never a mix; a connection opened before the rename keeps reading the file
  it opened (Linux keeps a renamed-over file alive while it is open) until it reconnects;
- the marts are tables, not views over files, so the folder can be moved, copied or mounted
  at another path (a container, a network share) and reads nothing outside serving.duckdb;
- it is written in DuckDB's v1.0.0 storage format, which every DuckDB since 1.0 opens: BI
  drivers bundle their own, often older, DuckDB (Metabase's driver, the ODBC driver);
- every table and column carries its dbt description as a COMMENT.

Each mart is also written to serving/<mart>.parquet for file-based BI (temporary name, then
rename: a reader sees the old or the new file, never half of one, but two files read one
after the other may come from two publishes; each file's `publish_id` key says which).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from linkstar_pipeline.lib.clock import pipeline_now
from linkstar_pipeline.lib.mart_docs import MartDoc
from linkstar_pipeline.lib.paths import LinkstarPaths
from linkstar_pipeline.lib.sql_text import quote_identifier, quote_literal

MARTS_SCHEMA = "marts"
# The oldest storage format this DuckDB writes that DuckDB 1.0 through today reads.
STORAGE_VERSION = "v1.0.0"
PUBLISH_TABLE = "meta.publish"
PUBLISH_COMMENT = "The publish these marts come from: one row, replaced with every mart at once."


@dataclass(frozen=True)
class PublishedMart:
    name: str
    rows: int
    path: Path
    undocumented_columns: tuple[str, ...]


@dataclass(frozen=True)
class Publish:
    publish_id: str
    marts: list[PublishedMart]


def _mart_tables(connection: duckdb.DuckDBPyConnection) -> list[str]:
    rows = connection.execute(
        "select table_name from information_schema.tables where table_catalog = 'warehouse' "
        "and table_schema = ? and table_type = 'BASE TABLE' order by table_name",
        [MARTS_SCHEMA],
    ).fetchall()
    return [name for (name,) in rows]


def export_parquet(
    connection: duckdb.DuckDBPyConnection, query: str, target: Path, publish_id: str
) -> int:
    """`query`'s rows to `target` under a temporary name, then one rename; how many rows."""
    temporary = target.with_name(f".{target.name}.tmp")
    (rows,) = connection.execute(
        f"copy ({query}) to {quote_literal(str(temporary))} "
        f"(format parquet, compression zstd, kv_metadata {{publish_id: {quote_literal(publish_id)}}})"
    ).fetchone()
    os.replace(temporary, target)
    return int(rows)


def _copy_mart(connection: duckdb.DuckDBPyConnection, table: str, doc: MartDoc) -> tuple[str, ...]:
    """Copy one mart into the new serving file with its comments; the columns with none."""
    target = f"serving.{MARTS_SCHEMA}.{quote_identifier(table)}"
    connection.execute(
        f"create table {target} as select * from warehouse.{MARTS_SCHEMA}.{quote_identifier(table)}"
    )
    return comment_table(connection, target, doc)


def comment_table(
    connection: duckdb.DuckDBPyConnection, target: str, doc: MartDoc
) -> tuple[str, ...]:
    """Put `doc` on table `target` (qualified) as COMMENTs; the columns left without one."""
    if doc.description:
        connection.execute(f"comment on table {target} is {quote_literal(doc.description)}")
    columns = [
        column[0] for column in connection.execute(f"select * from {target} limit 0").description
    ]
    undocumented = []
    for column in columns:
        description = doc.columns.get(column, "")
        if not description:
            undocumented.append(column)
            continue
        connection.execute(
            f"comment on column {target}.{quote_identifier(column)} is {quote_literal(description)}"
        )
    return tuple(undocumented)


def _write_publish_record(connection: duckdb.DuckDBPyConnection, publish_id: str) -> None:
    connection.execute("create schema serving.meta")
    connection.execute(
        f"create table serving.{PUBLISH_TABLE} as "
        "select ?::varchar as publish_id, ?::timestamptz as published_at",
        [publish_id, pipeline_now()],
    )
    connection.execute(
        f"comment on table serving.{PUBLISH_TABLE} is {quote_literal(PUBLISH_COMMENT)}"
    )


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def swap_in(temporary: Path, target: Path) -> None:
    """Make the finished `temporary` file `target` in one rename, durably: a reader opens the
    old file or the new one, whole, and a crash never leaves a half-written `target`."""
    _fsync(temporary)
    os.replace(temporary, target)  # the moment new connections start seeing this publish
    _fsync(target.parent)


def remove_leftovers(target: Path) -> None:
    """Temporary files of a publish that crashed (publishes never overlap: warehouse lock)."""
    for leftover in target.parent.glob(f".{target.name}.*.tmp*"):
        leftover.unlink(missing_ok=True)


def _write_serving_file(
    connection: duckdb.DuckDBPyConnection,
    temporary: Path,
    publish_id: str,
    docs: Mapping[str, MartDoc],
) -> list[tuple[str, int, tuple[str, ...]]]:
    """The whole serving database under a temporary name: (mart, rows, undocumented columns)."""
    connection.execute(
        f"attach {quote_literal(str(temporary))} as serving (storage_version '{STORAGE_VERSION}')"
    )
    connection.execute(f"create schema serving.{MARTS_SCHEMA}")
    copied = []
    for table in _mart_tables(connection):
        undocumented = _copy_mart(connection, table, docs.get(table, MartDoc("")))
        (rows,) = connection.execute(
            f"select count(*) from serving.{MARTS_SCHEMA}.{quote_identifier(table)}"
        ).fetchone()
        copied.append((table, int(rows), undocumented))
    _write_publish_record(connection, publish_id)
    connection.execute("detach serving")  # checkpoints: the file is whole, with no WAL beside it
    return copied


def publish_marts(paths: LinkstarPaths, docs: Mapping[str, MartDoc]) -> Publish:
    """Copy every table of schema `marts` to serving/; call with the warehouse lock held.

    serving.duckdb is swapped first, in one rename; the Parquet files follow one by one.
    """
    paths.serving_dir.mkdir(parents=True, exist_ok=True)
    target = paths.serving_database
    remove_leftovers(target)
    publish_id = uuid.uuid4().hex
    temporary = target.with_name(f".{target.name}.{publish_id}.tmp")
    connection = duckdb.connect()  # in memory: the warehouse and the new file are attached to it
    try:
        connection.execute(f"attach {quote_literal(str(paths.warehouse))} as warehouse (read_only)")
        copied = _write_serving_file(connection, temporary, publish_id, docs)
        swap_in(temporary, target)
        marts = []
        for table, rows, undocumented in copied:
            parquet = paths.serving_dir / f"{table}.parquet"
            query = f"select * from warehouse.{MARTS_SCHEMA}.{quote_identifier(table)}"
            export_parquet(connection, query, parquet, publish_id)
            marts.append(PublishedMart(table, rows, parquet, undocumented))
    finally:
        connection.close()
        remove_leftovers(target)
    return Publish(publish_id, marts)
