"""Issue #3 item 5: parallel partition runs, concurrent refreshes and a BI reader never hit a
DuckDB lock error, and the reader never sees a half-built mart.

Everything runs in separate OS processes, as it does in production: two orders partitions
materialized at once through the Dagster CLI (ingestion writing raw files), two
`linkstar rebuild` runs (dbt build + publish: the warehouse-writing half of a refresh) at the
same time, and a reader that connects read-only to serving/serving.duckdb as soon as the first
publish creates it and keeps that connection open throughout, the way Metabase's connection
pool does. The sources are landed beforehand without building anything, so the first
warehouse build happens under contention too. Once the writers are done, one more publish runs
while the reader keeps reading, so the reader always reads across at least one swap of the
files behind its open connection, however the OS scheduled the writers.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import time
from datetime import timedelta

import pytest

from tests.conftest import AS_OF, point_connectors_at, refresh, sandbox_running

DUCKDB_LOCK = re.compile(r"could not set lock|conflicting lock", re.IGNORECASE)

READER = textwrap.dedent(
    """
    import json, os, sys, time, duckdb
    path, stop_file, ready_file = sys.argv[1], sys.argv[2], sys.argv[3]
    parquet = os.path.join(os.path.dirname(path), "kpi_shop_daily.parquet")
    deadline = time.time() + 600
    while not os.path.exists(path) and time.time() < deadline:   # the first publish creates it
        time.sleep(0.05)
    connection = duckdb.connect(path, read_only=True)   # held open for the rest of the test
    observations, errors, versions = 0, [], []

    def observe():
        global observations
        try:
            # The file the view reads now: a publish swaps in a new one (new inode and mtime).
            status = os.stat(parquet)
            version = f"{status.st_ino}:{status.st_mtime_ns}"
            rows, spine_days, shops = connection.execute('''
                select count(*),
                       (select sum(days) from (select date_diff('day', min(local_date), max(local_date)) + 1 as days
                                               from marts.kpi_shop_daily group by shop_id)),
                       count(distinct shop_id)
                from marts.kpi_shop_daily''').fetchone()
            if rows == 0 or rows != spine_days:
                errors.append(f"incomplete mart: {rows} rows for {spine_days} shop-days")
            observations += 1
            if not versions or versions[-1] != version:
                versions.append(version)
        except Exception as error:  # any lock or read error is a failure of the design
            errors.append(repr(error))

    while not os.path.exists(stop_file) and time.time() < deadline:
        observe()
        if observations and not os.path.exists(ready_file):
            open(ready_file, "w").close()
        time.sleep(0.05)
    observe()   # once more after the last publish: the held connection sees the newest files
    # versions: each file the reader saw, in the order it saw them
    print(json.dumps({"observations": observations, "versions": versions, "errors": errors[:20]}))
    """
)


def _start(args: list[str], env: dict[str, str], log_path) -> subprocess.Popen:
    # Output goes to a file, not a pipe: a full pipe buffer would stall the chatty workers.
    log = open(log_path, "w")  # noqa: SIM115 — closed by the child's exit; read after wait()
    return subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)


def _materialize(selection: str, *options: str) -> list[str]:
    """The Dagster CLI materializing assets, as an engineer would from a terminal."""
    dagster = os.path.join(os.path.dirname(sys.executable), "dagster")
    return [dagster, "asset", "materialize", "-m", "linkstar_pipeline.definitions"] + [
        "--select",
        selection,
        *options,
    ]


def _wait_for(marker, reader: subprocess.Popen, seconds: float = 120.0) -> None:
    """Until the reader has made its first observation (it exits early only on a crash)."""
    deadline = time.monotonic() + seconds
    while not marker.exists():
        assert reader.poll() is None, "the reader exited before its first observation"
        assert time.monotonic() < deadline, f"the reader made no observation in {seconds:.0f}s"
        time.sleep(0.1)


@pytest.mark.e2e
def test_parallel_partitions_concurrent_refreshes_and_a_bi_reader_never_collide(
    linkstar_home, monkeypatch
):
    bin_dir = os.path.dirname(sys.executable)
    # Three shops: this test is about concurrent writers, not volume.
    with sandbox_running(
        rate_limit_per_second=200.0, rate_limit_burst=200, shop_count=3
    ) as sandbox:
        point_connectors_at(monkeypatch, sandbox)
        env = dict(os.environ)
        day = AS_OF.date()
        # The example kpi_config/ names twelve shops; with three landed its check fails.
        refresh(day - timedelta(days=2), day, ingestion_only=True, may_fail=("kpi_config",))

        serving = str(linkstar_home / "serving" / "serving.duckdb")
        stop_file = linkstar_home / "stop-reading"
        logs = linkstar_home / "logs"
        logs.mkdir()
        ready_file = linkstar_home / "reader-ready"
        reader = _start(
            [sys.executable, "-c", READER, serving, str(stop_file), str(ready_file)],
            env,
            logs / "reader.log",
        )
        workers = [
            _start(
                _materialize("tiktok_shop/orders", "--partition", str(day - timedelta(days=n))),
                env,
                logs / f"partition-{n}.log",
            )
            for n in range(3, 5)
        ] + [
            # Two warehouse writers at once (dbt + publishing), while the partitions land:
            # `rebuild` is the refresh job's writing half, without re-ingesting every source.
            _start([f"{bin_dir}/linkstar", "rebuild"], env, logs / f"refresh-{n}.log")
            for n in range(2)
        ]
        for worker in workers:
            worker.wait(timeout=400)
        _wait_for(ready_file, reader)
        # One more publish while the reader reads: it swaps every file behind the open connection.
        publisher = _start(_materialize("serving/published_marts"), env, logs / "publish-again.log")
        publisher.wait(timeout=300)
        workers.append(publisher)
        stop_file.touch()
        reader.wait(timeout=120)
        outputs = [
            log.read_text()
            for log in sorted(logs.glob("partition-*.log"))
            + sorted(logs.glob("refresh-*.log"))
            + [logs / "publish-again.log"]
        ]
        failed = [
            (worker.args, output[-2500:])
            for worker, output in zip(workers, outputs)
            if worker.returncode != 0
        ]
        assert not failed, failed
        # DuckDB's own words when a second process opens a file another holds (any launcher
        # that bypassed the lock would print them even if its run recovered).
        lock_errors = [
            line for output in outputs for line in output.splitlines() if DUCKDB_LOCK.search(line)
        ]
        assert lock_errors == [], lock_errors[:5]

        report = json.loads((logs / "reader.log").read_text().strip().splitlines()[-1])
        assert report["errors"] == [], report
        published = os.stat(linkstar_home / "serving" / "kpi_shop_daily.parquet")
        # It read an earlier publish, then (same connection) the newest one, with no error between.
        assert report["versions"][-1] == f"{published.st_ino}:{published.st_mtime_ns}", report
        assert len(report["versions"]) >= 2, report

        landed = sorted(
            p.name for p in (linkstar_home / "raw" / "tiktok_shop" / "orders").iterdir()
        )
        assert landed == [f"{day - timedelta(days=n)}.jsonl.gz" for n in range(4, -1, -1)]
