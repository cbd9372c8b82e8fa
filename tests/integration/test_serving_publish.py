"""Issue 17 §2: the published serving.duckdb, from a small hand-made warehouse (no dbt build).

A reader in another process, looping over several marts while the marts are published again and
again, never fails and never reads two publishes in one connection; the file opens in an older
DuckDB, as BI drivers bundle it; the published folder works after it is moved and the original
deleted; every documented column carries its description as a comment.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from linkstar_pipeline.lib.mart_docs import MartDoc
from linkstar_pipeline.lib.paths import LinkstarPaths
from linkstar_pipeline.lib.serving import publish_marts
from tests.old_duckdb import read_with_old_duckdb

# One column of each type the real marts use (dbt_project/models/marts/*.yml data types).
TYPED_COLUMNS = {
    "shop_id": "'shop-' || (i % 7)",
    "local_date": "date '2026-11-01' + (i % 30)::integer",
    "gmv_paid": "(i * 1.25)::decimal(18, 2)",
    "gmv_reporting": "(i / 3)::decimal(38, 6)",
    "conversion_rate": "(i % 100 / 1000)::decimal(18, 4)",
    "fx_rate": "(1 / (i + 1))::decimal(18, 10)",
    "share": "(i % 10 / 10)::decimal(9, 4)",
    "orders_paid": "(i % 13)::integer",
    "units_paid": "i::bigint",
    "counts_as_paid": "i % 2 = 0",
    "updated_at": "timestamp '2026-11-20 12:00:00' - to_minutes(i)",
}
MARTS = ("kpi_shop_daily", "dim_shops", "fct_orders")
DOCS = {
    "kpi_shop_daily": MartDoc(
        "Sales per shop and shop-local day.",
        {
            "shop_id": "TikTok shop id.",
            "gmv_paid": "Paid GMV in the shop's currency; it's the seller's headline number.",
            "build": "Which hand-made build wrote the row.",
        },
    ),
    "dim_shops": MartDoc("One row per shop.", {"shop_id": "TikTok shop id."}),
}


def _write_warehouse(paths: LinkstarPaths, build: int, rows: int = 50_000) -> None:
    """Every mart rewritten with `build` in every row, as a dbt build replaces them."""
    columns = ", ".join(f"{sql} as {name}" for name, sql in TYPED_COLUMNS.items())
    with duckdb.connect(str(paths.warehouse)) as warehouse:
        warehouse.execute("create schema if not exists marts")
        warehouse.execute("create or replace view marts.not_a_table as select 1 as one")
        for mart in MARTS:
            warehouse.execute(
                f"create or replace table marts.{mart} as "
                f"select {columns}, {build} as build from range({rows}) as t(i)"
            )


@pytest.fixture
def paths(tmp_path) -> LinkstarPaths:
    home = tmp_path / "linkstar_home"
    home.mkdir()
    return LinkstarPaths(home=home)


READER = textwrap.dedent(
    """
    import json, os, sys, time, duckdb
    mode, path, stop_file, ready_file, marts = sys.argv[1:5] + [sys.argv[5:]]

    def read_once(connection):
        (publish_id,) = connection.execute("select publish_id from meta.publish").fetchone()
        builds = set()
        for mart in marts:
            builds |= {b for (b,) in connection.execute(
                f"select distinct build from marts.{mart}").fetchall()}
        return [publish_id, sorted(builds)]

    # "held": one connection kept throughout, as a connection pool keeps one. "fresh": a new
    # connection per read, as a pool hands out after recycling one. Separate processes: DuckDB
    # shares one open database between all connections of a process to the same path.
    held = duckdb.connect(path, read_only=True) if mode == "held" else None
    reads, errors = [], []
    while True:
        stopping = os.path.exists(stop_file)   # one more read after it: the newest publish
        try:
            connection = held or duckdb.connect(path, read_only=True)
            try:
                reads.append(read_once(connection))
            finally:
                if connection is not held:
                    connection.close()
        except Exception as error:
            errors.append(repr(error))
        if not os.path.exists(ready_file):
            open(ready_file, "w").close()
        if stopping:
            break
        time.sleep(0.02)  # a dashboard's pace: leave the cores to the publishes under test
    print(json.dumps({"reads": reads, "errors": errors[:20]}))
    """
)


def start_reader(mode: str, database: Path, stop_file, ready_file, marts=MARTS) -> subprocess.Popen:
    """A process reading `marts` of `database` in a loop until `stop_file` appears."""
    return subprocess.Popen(
        [sys.executable, "-c", READER, mode, str(database), str(stop_file)]
        + [str(ready_file), *marts],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until_reading(reader: subprocess.Popen, ready_file: Path) -> None:
    deadline = time.monotonic() + 120
    while not ready_file.exists():
        assert reader.poll() is None, reader.communicate()
        assert time.monotonic() < deadline, f"the reader made no read in 120 s: {ready_file}"
        time.sleep(0.05)


def reader_report(reader: subprocess.Popen) -> dict:
    output, errors = reader.communicate(timeout=120)
    assert reader.returncode == 0, errors[-3000:]
    report = json.loads(output)
    assert report["errors"] == []
    assert report["reads"], "the reader made no read"
    return report


def test_a_reader_during_repeated_publishes_never_fails_and_never_mixes_two(paths, tmp_path):
    _write_warehouse(paths, build=0)
    first = publish_marts(paths, DOCS).publish_id
    stop_file = tmp_path / "stop"
    readers = {
        mode: start_reader(mode, paths.serving_database, stop_file, tmp_path / f"{mode}-ready")
        for mode in ("held", "fresh")
    }
    publishes = [first]
    try:
        for mode, reader in readers.items():
            wait_until_reading(reader, tmp_path / f"{mode}-ready")
        for build in range(1, 7):
            _write_warehouse(paths, build)
            publishes.append(publish_marts(paths, DOCS).publish_id)
    finally:
        stop_file.touch()
        reports = {mode: reader_report(reader) for mode, reader in readers.items()}

    reads = reports["fresh"]["reads"]
    mixed = [read for read in reads if len(read[1]) != 1]
    assert mixed == [], f"{len(mixed)} of {len(reads)} reads mixed builds: {mixed[:5]}"
    build_of = {}
    for publish_id, (build,) in reads:
        assert build_of.setdefault(publish_id, build) == build  # one publish, one build
    assert set(build_of) <= set(publishes)
    assert len(build_of) >= 3, f"the reads spanned too few publishes: {build_of}"
    assert build_of[publishes[-1]] == 6  # and ended on the newest
    # The connection held open throughout kept reading the publish it opened, whole.
    assert {(p, tuple(b)) for p, b in reports["held"]["reads"]} == {(first, (0,))}


def test_serving_opens_in_an_older_duckdb_with_every_mart_and_comment(paths):
    _write_warehouse(paths, build=1, rows=1_000)
    publish = publish_marts(paths, DOCS)

    report = read_with_old_duckdb(paths.serving_database)

    tables = report["tables"]
    assert {name for name in tables if name.startswith("marts.")} == {f"marts.{m}" for m in MARTS}
    for mart in MARTS:
        assert tables[f"marts.{mart}"]["rows"] == 1_000
    assert tables["meta.publish"]["rows"] == 1
    kpi = tables["marts.kpi_shop_daily"]
    assert kpi["comment"] == DOCS["kpi_shop_daily"].description
    documented = {c: d for c, d in kpi["columns"].items() if d is not None}
    assert documented == DOCS["kpi_shop_daily"].columns
    # Columns without a yml description are named, not silently left bare.
    undocumented = {m.name: set(m.undocumented_columns) for m in publish.marts}
    assert undocumented["kpi_shop_daily"] == set(kpi["columns"]) - set(documented)
    assert undocumented["fct_orders"] == set(tables["marts.fct_orders"]["columns"])


def test_a_published_folder_moved_elsewhere_reads_nothing_of_the_original(paths, tmp_path):
    _write_warehouse(paths, build=3, rows=1_000)
    publish_marts(paths, DOCS)
    moved = tmp_path / "elsewhere" / "serving"
    shutil.copytree(paths.serving_dir, moved)
    shutil.rmtree(paths.home)  # the warehouse, the original serving folder, everything

    report = read_with_old_duckdb(moved / "serving.duckdb")
    assert [report["tables"][f"marts.{m}"]["rows"] for m in MARTS] == [1_000] * len(MARTS)
    with duckdb.connect(str(moved / "serving.duckdb"), read_only=True) as serving:
        for mart in MARTS:
            (builds,) = serving.execute(f"select list(distinct build) from marts.{mart}").fetchone()
            assert builds == [3]
    with duckdb.connect() as files:  # file-based BI reads the Parquet files of the moved folder
        for mart in MARTS:
            parquet = str(moved / f"{mart}.parquet")
            (rows,) = files.execute("select count(*) from read_parquet(?)", [parquet]).fetchone()
            assert rows == 1_000
    assert not list(moved.glob(".*")), "no temporary file is left in the published folder"
