"""serving/regions/<region id>/: what a regional lead may read, as files and as a database.

For file-based BI with roles (a network share per region): each region's folder holds the
marts a regional lead reads in PostgreSQL, filtered by the same predicate (bi_access), so a
folder and the lead's PostgreSQL role always show the same rows — as one Parquet file per mart
and as one `serving.duckdb` (for a BI tool with a DuckDB driver). Read from the published
serving.duckdb, so the folders come from the same publish. The region's serving.duckdb is
written like the whole one (lib/serving.py): DuckDB 1.0's storage format, the comments and
`meta.publish` of the publish, self-contained, swapped in with one rename so a reader opens the
previous or the new file, whole. A region removed from the organisation file loses its folder;
a mart a region no longer reads loses its file and its table.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from linkstar_pipeline.lib.bi_access import mart_access, region_keys
from linkstar_pipeline.lib.kpi_config.model import KpiConfig
from linkstar_pipeline.lib.mart_docs import MartDoc
from linkstar_pipeline.lib.serving import (
    MARTS_SCHEMA,
    PUBLISH_COMMENT,
    PUBLISH_TABLE,
    STORAGE_VERSION,
    comment_table,
    export_parquet,
    remove_leftovers,
    swap_in,
)
from linkstar_pipeline.lib.sql_text import quote_identifier, quote_literal

REGIONS_FOLDER = "regions"
REGION_DATABASE = "serving.duckdb"


def _mart_columns(connection: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    rows = connection.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_catalog = 'serving' and table_schema = 'marts' "
        "order by table_name, ordinal_position"
    ).fetchall()
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        columns.setdefault(table, []).append(column)
    return columns


def _mart_docs(connection: duckdb.DuckDBPyConnection) -> dict[str, MartDoc]:
    """The comments the published serving.duckdb carries, to carry them on."""
    tables = connection.execute(
        "select table_name, comment from duckdb_tables() "
        "where database_name = 'serving' and schema_name = ?",
        [MARTS_SCHEMA],
    ).fetchall()
    columns = connection.execute(
        "select table_name, column_name, comment from duckdb_columns() "
        "where database_name = 'serving' and schema_name = ? and comment is not null",
        [MARTS_SCHEMA],
    ).fetchall()
    docs = {table: MartDoc(comment or "") for table, comment in tables}
    for table, column, comment in columns:
        docs[table].columns[column] = comment
    return docs


def _region_queries(marts: dict[str, list[str]]) -> dict[str, str]:
    """{mart: the query of a region's rows} over the temp table `region_keys`; only the marts
    a regional lead reads."""
    queries = {}
    for mart, columns in sorted(marts.items()):
        access = mart_access(mart, columns)
        if access.regional_leads:
            where = f" where {access.region_filter}" if access.region_filter else ""
            queries[mart] = f"select * from serving.{MARTS_SCHEMA}.{quote_identifier(mart)}{where}"
    return queries


def _write_region_database(
    connection: duckdb.DuckDBPyConnection,
    target: Path,
    queries: dict[str, str],
    docs: dict[str, MartDoc],
    publish_id: str,
) -> None:
    remove_leftovers(target)
    temporary = target.with_name(f".{target.name}.{publish_id}.tmp")
    connection.execute(
        f"attach {quote_literal(str(temporary))} as region (storage_version '{STORAGE_VERSION}')"
    )
    try:
        connection.execute(f"create schema region.{MARTS_SCHEMA}")
        for mart, query in queries.items():
            table = f"region.{MARTS_SCHEMA}.{quote_identifier(mart)}"
            connection.execute(f"create table {table} as {query}")
            comment_table(connection, table, docs.get(mart, MartDoc("")))
        connection.execute("create schema region.meta")
        connection.execute(
            f"create table region.{PUBLISH_TABLE} as select * from serving.{PUBLISH_TABLE}"
        )
        connection.execute(
            f"comment on table region.{PUBLISH_TABLE} is {quote_literal(PUBLISH_COMMENT)}"
        )
    finally:
        connection.execute("detach region")  # checkpoints: the file is whole, no WAL beside it
    swap_in(temporary, target)


def _write_region(
    connection: duckdb.DuckDBPyConnection,
    folder: Path,
    keys: set[tuple[str, str]],
    queries: dict[str, str],
    docs: dict[str, MartDoc],
    publish_id: str,
) -> dict[str, int]:
    connection.execute(
        "create or replace temp table region_keys (key_kind varchar, key_value varchar)"
    )
    connection.executemany("insert into region_keys values (?, ?)", sorted(keys))
    folder.mkdir(parents=True, exist_ok=True)
    _write_region_database(connection, folder / REGION_DATABASE, queries, docs, publish_id)
    written = {
        mart: export_parquet(connection, query, folder / f"{mart}.parquet", publish_id)
        for mart, query in queries.items()
    }
    for stale in folder.glob("*.parquet"):
        if stale.stem not in written:
            stale.unlink()
    return written


def publish_region_folders(serving_database: Path, config: KpiConfig) -> dict[str, dict[str, int]]:
    """Write every region's folder beside serving.duckdb: {region: {mart: rows}}."""
    regions_dir = serving_database.parent / REGIONS_FOLDER
    keys = region_keys(config)
    connection = duckdb.connect()
    try:
        connection.execute(f"attach {quote_literal(str(serving_database))} as serving (read_only)")
        (publish_id,) = connection.execute("select publish_id from serving.meta.publish").fetchone()
        queries = _region_queries(_mart_columns(connection))
        docs = _mart_docs(connection)
        written = {
            region: _write_region(
                connection, regions_dir / region, keys[region], queries, docs, publish_id
            )
            for region in sorted(keys)
        }
    finally:
        connection.close()
    for folder in regions_dir.iterdir() if regions_dir.exists() else ():
        if folder.is_dir() and folder.name not in written:
            shutil.rmtree(folder)
    return written
