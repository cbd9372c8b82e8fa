"""serving/regions/<region id>/<mart>.parquet: what a regional lead may read, as files.

For file-based BI with roles (a network share per region): each region's folder holds the
marts a regional lead reads in PostgreSQL, filtered by the same predicate (bi_access), so a
folder and the lead's PostgreSQL role always show the same rows. Read from the published
serving.duckdb, so the folders come from the same publish. A region removed from the
organisation file loses its folder; a mart a region no longer reads loses its file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from linkstar_pipeline.lib.bi_access import mart_access, region_keys
from linkstar_pipeline.lib.kpi_config.model import KpiConfig
from linkstar_pipeline.lib.serving import export_parquet
from linkstar_pipeline.lib.sql_text import quote_literal

REGIONS_FOLDER = "regions"


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


def _write_region(
    connection: duckdb.DuckDBPyConnection,
    folder: Path,
    keys: set[tuple[str, str]],
    marts: dict[str, list[str]],
    publish_id: str,
) -> dict[str, int]:
    connection.execute(
        "create or replace temp table region_keys (key_kind varchar, key_value varchar)"
    )
    connection.executemany("insert into region_keys values (?, ?)", sorted(keys))
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for mart, columns in sorted(marts.items()):
        access = mart_access(mart, columns)
        if not access.regional_leads:
            continue
        where = f" where {access.region_filter}" if access.region_filter else ""
        query = f'select * from serving.marts."{mart}"{where}'
        written[mart] = export_parquet(connection, query, folder / f"{mart}.parquet", publish_id)
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
        marts = _mart_columns(connection)
        written = {
            region: _write_region(connection, regions_dir / region, keys[region], marts, publish_id)
            for region in sorted(keys)
        }
    finally:
        connection.close()
    for folder in regions_dir.iterdir() if regions_dir.exists() else ():
        if folder.is_dir() and folder.name not in written:
            shutil.rmtree(folder)
    return written
