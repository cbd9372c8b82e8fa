"""The one full refresh every end-to-end test module reads — once per test RUN, not per worker.

Under pytest-xdist each worker is its own process, so a session fixture would refresh once per
worker. Instead the first worker to arrive builds the warehouse in a directory shared by the
run (under a file lock) and records the refresh's asset-check outcomes; the others wait for the
lock and read the same files. Every worker keeps its own sandbox object (same seed, same pinned
clock, so the same data) for the generator's ground truth.

Environment variables are set only while the refresh runs: the warehouse, serving database,
raw files and Dagster home stay on disk for the whole run.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import dagster as dg
import pytest
from filelock import FileLock

from linkstar_pipeline.lib.erp_inbox import ErpFolders
from linkstar_pipeline.lib.paths import linkstar_paths
from sandbox.erp_exports import write_erp_exports
from tests.conftest import AS_OF, HISTORY_START, point_connectors_at, refresh, sandbox_running

_DONE = "refresh-done.json"


@dataclass(frozen=True)
class CheckEvaluation:
    asset_key: dg.AssetKey
    check_name: str
    passed: bool


@dataclass(frozen=True)
class RefreshRecord:
    """What the tests need of the refresh's result, readable by every worker."""

    evaluations: tuple[CheckEvaluation, ...]

    def get_asset_check_evaluations(self) -> list[CheckEvaluation]:
        return list(self.evaluations)

    def dump(self) -> str:
        return json.dumps([[e.asset_key.path, e.check_name, e.passed] for e in self.evaluations])

    @classmethod
    def load(cls, text: str) -> RefreshRecord:
        return cls(tuple(CheckEvaluation(dg.AssetKey(p), n, ok) for p, n, ok in json.loads(text)))


def _shared_root(tmp_path_factory) -> os.PathLike:
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None:  # not under xdist: this process is the whole run
        return tmp_path_factory.mktemp("e2e-shared")
    root = tmp_path_factory.getbasetemp().parent / f"e2e-{run}"
    root.mkdir(exist_ok=True)
    return root


@pytest.fixture(scope="session")
def loaded_warehouse(tmp_path_factory):
    """(LINKSTAR_HOME, sandbox with the same data, refresh record, DAGSTER_HOME)."""
    root = _shared_root(tmp_path_factory)
    home, dagster_home, done = root / "home", root / "dagster_home", root / _DONE
    with sandbox_running() as sandbox, FileLock(str(root / "build.lock"), timeout=1200):
        if not done.exists():
            dagster_home.mkdir(exist_ok=True)
            with pytest.MonkeyPatch.context() as monkeypatch:
                monkeypatch.setenv("LINKSTAR_HOME", str(home))
                monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
                point_connectors_at(monkeypatch, sandbox)
                inbox = ErpFolders.under(linkstar_paths()).inbox
                write_erp_exports(sandbox.dataset, inbox, sandbox.as_of())  # as a seller drops them
                result = refresh(HISTORY_START, AS_OF.date())
            record = RefreshRecord(
                tuple(
                    CheckEvaluation(e.asset_key, e.check_name, e.passed)
                    for e in result.get_asset_check_evaluations()
                )
            )
            done.write_text(record.dump())
    yield home, sandbox, RefreshRecord.load(done.read_text()), dagster_home


@pytest.fixture(scope="session")
def warehouse_text_values(loaded_warehouse) -> dict[tuple[str, str, str], set[str]]:
    """Every distinct non-null value, as text, of every column of the staging (stg_), intermediate
    and marts tables of the shared warehouse, for the tests that search them for buyer PII.
    One query per table (unpivoted), not one per column: staging views re-run per query."""
    import duckdb

    home, *_ = loaded_warehouse
    connection = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        columns: dict[tuple[str, str], list[str]] = {}
        for schema, table, column in connection.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_schema in ('marts', 'intermediate') "
            "or (table_schema = 'staging' and table_name like 'stg_%') "
            "order by table_schema, table_name, ordinal_position"
        ).fetchall():
            columns.setdefault((schema, table), []).append(column)
        values: dict[tuple[str, str, str], set[str]] = {}
        for (schema, table), names in columns.items():
            for column in names:
                values[(schema, table, column)] = set()
            as_text = ", ".join(f'cast("{name}" as varchar) as "{name}"' for name in names)
            rows = connection.execute(
                f"select distinct column_name, value from (unpivot (select {as_text} "
                f'from {schema}."{table}") on columns(*) into name column_name value value)'
            ).fetchall()
            for column, value in rows:
                values[(schema, table, column)].add(value)
        return values
    finally:
        connection.close()
