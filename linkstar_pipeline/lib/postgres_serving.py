"""Publish the marts to PostgreSQL (LINKSTAR_POSTGRES_URL), with the organisation's roles.

Read from the published serving.duckdb (not the warehouse: no warehouse lock, and PostgreSQL
gets exactly the publish DuckDB readers got, with the same `meta.publish` id).

One transaction writes everything, and a reader's query sees its snapshot: the previous
publish or the new one, never a mix; a failed publish rolls back to the previous one. The
marts are emptied and refilled (DELETE, then COPY) rather than swapped in as a new schema:
renaming and dropping tables takes locks that readers queue behind (and can deadlock with,
when a query reads two marts), while DELETE and COPY are invisible to a reader until commit.
A table is dropped and created again only when its columns or access rules change;
descriptions are updated in place.

Access: the roles are brought in step first (postgres_roles); each mart is granted to the
groups bi_access names, with row-level security on every mart with a region key, whose
regional-lead policy is bi_access's region predicate over `access.region_keys`.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from linkstar_pipeline.lib.bi_access import (
    EXECUTIVE_ROLE,
    HEADQUARTERS_ROLE,
    REGIONAL_LEAD_ROLE,
    MartAccess,
    mart_access,
)
from linkstar_pipeline.lib.kpi_config.model import KpiConfig
from linkstar_pipeline.lib.mart_docs import MartDoc
from linkstar_pipeline.lib.postgres_roles import KEYS_TABLE, sync_roles, write_region_keys

POSTGRES_URL_ENV = "LINKSTAR_POSTGRES_URL"
POSTGRES_CHECK = "published_to_postgres"  # the asset check on serving/published_marts
SCHEMAS = ("marts", "meta", "access")
# Serialises publishes from several processes (an arbitrary constant: "LinkStar" in hex).
PUBLISH_LOCK = 0x4C696E6B53746172
# A reader holding a lock on a table whose definition changed must not stall a publish forever.
LOCK_TIMEOUT = "60s"
_SIMPLE_TYPES = {
    "VARCHAR": "text",
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric(39, 0)",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "INTERVAL": "interval",
    "UUID": "uuid",
}
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")
log = logging.getLogger(__name__)


class PostgresPublishError(RuntimeError):
    """The PostgreSQL publish failed and was rolled back; `target` is host:port/database."""

    def __init__(self, target: str, reason: str):
        self.target = target
        super().__init__(
            f"PostgreSQL publish to {target} failed and was rolled back (readers keep the "
            f"previous publish): {reason}"
        )


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_URL_ENV) or None


def describe_target(url: str) -> str:
    """host:port/database of a connection URL: what may be logged (never the password)."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return f"an unparseable {POSTGRES_URL_ENV}"
    return f"{parts.get('host', 'localhost')}:{parts.get('port', 5432)}/{parts.get('dbname', '')}"


@dataclass(frozen=True)
class PostgresPublish:
    publish_id: str
    target: str
    rows_per_mart: dict[str, int]
    readers: dict[str, list[str]]  # person -> group roles granted
    revoked: list[str]  # "person from group", for people no longer in the file (or moved)


@dataclass(frozen=True)
class _Mart:
    name: str
    columns: list[tuple[str, str]]  # (name, PostgreSQL type)
    access: MartAccess
    doc: MartDoc

    def definition(self) -> str:
        """What, when changed, needs the table created again (not just refilled)."""
        access = (self.access.region_filter, self.access.executives, self.access.regional_leads)
        return json.dumps([self.columns, access])


def _postgres_type(mart: str, column: str, duckdb_type: str) -> str:
    if duckdb_type in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[duckdb_type]
    decimal = _DECIMAL.fullmatch(duckdb_type)
    if decimal:
        return f"numeric({decimal[1]}, {decimal[2]})"
    raise ValueError(f"mart {mart}, column {column}: no PostgreSQL type for DuckDB {duckdb_type}")


def _read_marts(source: duckdb.DuckDBPyConnection, docs: Mapping[str, MartDoc]) -> list[_Mart]:
    rows = source.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' order by table_name, ordinal_position"
    ).fetchall()
    columns: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        columns.setdefault(table, []).append((column, _postgres_type(table, column, data_type)))
    return [
        _Mart(
            name,
            cols,
            mart_access(name, [c for c, _ in cols], keys_table=KEYS_TABLE),
            docs.get(name, MartDoc("")),
        )
        for name, cols in columns.items()
    ]


def _ident(*names: str) -> sql.Identifier:
    return sql.Identifier(*names)


def _create_mart(pg: psycopg.Connection, mart: _Mart) -> None:
    table = _ident("marts", mart.name)
    pg.execute(sql.SQL("drop table if exists {}").format(table))
    columns = sql.SQL(", ").join(
        sql.SQL("{} {}").format(_ident(name), sql.SQL(pg_type)) for name, pg_type in mart.columns
    )
    pg.execute(sql.SQL("create table {} ({})").format(table, columns))
    readers = [HEADQUARTERS_ROLE]
    readers += [REGIONAL_LEAD_ROLE] if mart.access.regional_leads else []
    readers += [EXECUTIVE_ROLE] if mart.access.executives else []
    for role in readers:
        pg.execute(sql.SQL("grant select on {} to {}").format(table, _ident(role)))
    if mart.access.region_filter is None:
        return
    pg.execute(sql.SQL("alter table {} enable row level security").format(table))
    for role in readers:
        rows = mart.access.region_filter if role == REGIONAL_LEAD_ROLE else "true"
        pg.execute(
            sql.SQL("create policy {} on {} for select to {} using ({})").format(
                _ident(role), table, _ident(role), sql.SQL(rows)
            )
        )


def _comment_mart(pg: psycopg.Connection, mart: _Mart) -> None:
    """The yml descriptions as comments, changing only those that differ: COMMENT takes no
    lock a reader waits for, so a description edit never recreates a table."""
    oid = f'marts."{mart.name}"'
    current = dict(
        pg.execute(
            "select coalesce(a.attname, ''), d.description from pg_description d "
            "left join pg_attribute a on a.attrelid = d.objoid and a.attnum = d.objsubid "
            "where d.objoid = %s::regclass and d.classoid = 'pg_class'::regclass",
            [oid],
        ).fetchall()
    )
    wanted = {"": mart.doc.description} | {c: mart.doc.columns.get(c, "") for c, _ in mart.columns}
    for column, text in wanted.items():
        if (current.get(column) or "") == text:
            continue
        target = _ident("marts", mart.name, *([column] if column else []))
        kind = sql.SQL("column" if column else "table")
        pg.execute(
            sql.SQL("comment on {} {} is {}").format(kind, target, sql.Literal(text or None))
        )


def _fill_mart(pg: psycopg.Connection, source: duckdb.DuckDBPyConnection, mart: _Mart) -> int:
    table = _ident("marts", mart.name)
    names = sql.SQL(", ").join(_ident(name) for name, _ in mart.columns)
    result = source.execute(f'select * from marts."{mart.name}"')
    rows = 0
    with pg.cursor().copy(sql.SQL("copy {} ({}) from stdin").format(table, names)) as copy:
        while batch := result.fetchmany(10_000):
            for row in batch:
                copy.write_row(row)
            rows += len(batch)
    return rows


def _publish_marts(
    pg: psycopg.Connection, source: duckdb.DuckDBPyConnection, marts: list[_Mart]
) -> dict[str, int]:
    pg.execute(
        "create table if not exists meta.mart_definitions (mart text primary key, "
        "definition text not null)"
    )
    known = dict(pg.execute("select mart, definition from meta.mart_definitions").fetchall())
    rows = {}
    for mart in marts:
        exists = pg.execute("select to_regclass(%s)", [f'marts."{mart.name}"']).fetchone()[0]
        if exists is None or known.get(mart.name) != mart.definition():
            _create_mart(pg, mart)
        else:
            pg.execute(sql.SQL("delete from {}").format(_ident("marts", mart.name)))
        _comment_mart(pg, mart)
        try:
            rows[mart.name] = _fill_mart(pg, source, mart)
        except psycopg.Error as error:
            raise ValueError(f"mart {mart.name}: {error}") from error
    for gone in sorted(set(known) - {mart.name for mart in marts}):
        pg.execute(sql.SQL("drop table if exists {}").format(_ident("marts", gone)))
    pg.execute("delete from meta.mart_definitions")
    with pg.cursor().copy("copy meta.mart_definitions (mart, definition) from stdin") as copy:
        for mart in marts:
            copy.write_row((mart.name, mart.definition()))
    return rows


def _write_publish_record(pg: psycopg.Connection, publish_id: str, published_at) -> None:
    pg.execute(
        "create table if not exists meta.publish (publish_id text not null, "
        "published_at timestamptz not null)"
    )
    pg.execute("comment on table meta.publish is 'The publish these marts come from.'")
    pg.execute("delete from meta.publish")
    pg.execute("insert into meta.publish values (%s, %s)", [publish_id, published_at])


def _grant_schemas(pg: psycopg.Connection) -> None:
    for group in (HEADQUARTERS_ROLE, REGIONAL_LEAD_ROLE, EXECUTIVE_ROLE):
        for schema in SCHEMAS:
            pg.execute(
                sql.SQL("grant usage on schema {} to {}").format(*map(_ident, (schema, group)))
            )
        pg.execute(sql.SQL("grant select on meta.publish to {}").format(_ident(group)))


def publish_to_postgres(
    url: str,
    serving_database: Path,
    docs: Mapping[str, MartDoc],
    config: KpiConfig,
    day: date,
) -> PostgresPublish:
    """Copy every mart of serving.duckdb to PostgreSQL and bring the roles in step with
    `config` as of `day`, in one transaction; raises PostgresPublishError (rolled back)."""
    target = describe_target(url)
    try:
        password = conninfo_to_dict(url).get("password")
    except psycopg.ProgrammingError:  # libpq's message quotes the URL: not passed on
        raise PostgresPublishError(target, f"{POSTGRES_URL_ENV} is not a PostgreSQL URL") from None
    log.info("Publishing the marts to PostgreSQL at %s", target)
    try:
        with duckdb.connect(str(serving_database), read_only=True) as source:
            publish_id, published_at = source.execute(
                "select publish_id, cast(published_at as varchar) from meta.publish"
            ).fetchone()
            marts = _read_marts(source, docs)
            with psycopg.connect(url, connect_timeout=10) as pg, pg.transaction():
                pg.execute("select pg_advisory_xact_lock(%s)", [PUBLISH_LOCK])
                pg.execute(f"set local lock_timeout = '{LOCK_TIMEOUT}'")
                readers, revoked = sync_roles(pg, config, day)
                for schema in SCHEMAS:
                    pg.execute(sql.SQL("create schema if not exists {}").format(_ident(schema)))
                _write_publish_record(pg, publish_id, published_at)
                _grant_schemas(pg)
                write_region_keys(pg, config)
                rows = _publish_marts(pg, source, marts)
    except (psycopg.Error, duckdb.Error, ValueError) as error:
        reason = str(error).strip()
        raise PostgresPublishError(
            target, reason.replace(password, "***") if password else reason
        ) from None  # the chained error could show the URL in a traceback
    return PostgresPublish(publish_id, target, rows, readers, revoked)
