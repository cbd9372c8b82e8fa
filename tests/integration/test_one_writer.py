"""Issue #3 item 5: parallel partition runs, concurrent refreshes and a BI reader never hit a
DuckDB lock error, and the reader never sees a half-built mart.

Everything runs in separate OS processes, as it does in production: two orders partitions
materialized at once through the Dagster CLI (ingestion writing raw files), two
`linkstar rebuild` runs (dbt build + publish: the warehouse-writing half of a refresh) at the
same time, and a reader that connects read-only to serving/serving.duckdb as soon as the first
publish creates it and keeps that connection open throughout, the way Metabase's connection
pool does. The sources are landed beforehand without building anything, so the first
warehouse build happens under contention too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest

from tests.conftest import AS_OF, point_connectors_at, refresh, sandbox_running

READER = textwrap.dedent(
    """
    import json, os, sys, time, duckdb
    path, stop_file = sys.argv[1], sys.argv[2]
    deadline = time.time() + 600
    while not os.path.exists(path) and time.time() < deadline:   # the first publish creates it
        time.sleep(0.05)
    connection = duckdb.connect(path, read_only=True)   # held open for the rest of the test
    observations, errors = 0, []
    while not os.path.exists(stop_file) and time.time() < deadline:
        try:
            rows, spine_days, shops = connection.execute('''
                select count(*),
                       (select sum(days) from (select date_diff('day', min(local_date), max(local_date)) + 1 as days
                                               from marts.kpi_shop_daily group by shop_id)),
                       count(distinct shop_id)
                from marts.kpi_shop_daily''').fetchone()
            if rows == 0 or rows != spine_days:
                errors.append(f"incomplete mart: {rows} rows for {spine_days} shop-days")
            observations += 1
        except Exception as error:  # any lock or read error is a failure of the design
            errors.append(repr(error))
        time.sleep(0.05)
    print(json.dumps({"observations": observations, "errors": errors[:20]}))
    """
)


def _start(args: list[str], env: dict[str, str], log_path) -> subprocess.Popen:
    # Output goes to a file, not a pipe: a full pipe buffer would stall the chatty workers.
    log = open(log_path, "w")  # noqa: SIM115 — closed by the child's exit; read after wait()
    return subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)


@pytest.mark.e2e
def test_parallel_partitions_concurrent_refreshes_and_a_bi_reader_never_collide(
    linkstar_home, monkeypatch
):
    bin_dir = os.path.dirname(sys.executable)
    # Three shops: this test is about concurrent writers, not volume.
    with sandbox_running(
        rate_limit_per_second=200.0, rate_limit_burst=200, shop_count=3
    ) as sandbox:
        point_connectors_at(monkeypatch, sandbox.base_url)
        env = dict(os.environ)
        day = AS_OF.date()
        refresh(day - timedelta(days=2), day, ingestion_only=True)

        serving = str(linkstar_home / "serving" / "serving.duckdb")
        stop_file = linkstar_home / "stop-reading"
        logs = linkstar_home / "logs"
        logs.mkdir()
        reader = _start(
            [sys.executable, "-c", READER, serving, str(stop_file)], env, logs / "reader.log"
        )
        workers = [
            _start(
                [
                    f"{bin_dir}/dagster",
                    "asset",
                    "materialize",
                    "-m",
                    "linkstar_pipeline.definitions",
                    "--select",
                    "tiktok_shop/orders",
                    "--partition",
                    str(day - timedelta(days=n)),
                ],
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
        stop_file.touch()
        reader.wait(timeout=120)
        outputs = [
            log.read_text()
            for log in sorted(logs.glob("partition-*.log")) + sorted(logs.glob("refresh-*.log"))
        ]
        failed = [
            (worker.args, output[-2500:])
            for worker, output in zip(workers, outputs)
            if worker.returncode != 0
        ]
        assert not failed, failed
        assert not any("lock" in output.lower() and "error" in output.lower() for output in outputs)

        report = json.loads((logs / "reader.log").read_text().strip().splitlines()[-1])
        assert report["errors"] == []
        assert report["observations"] > 50

        landed = sorted(
            p.name for p in (linkstar_home / "raw" / "tiktok_shop" / "orders").iterdir()
        )
        assert landed == [f"{day - timedelta(days=n)}.jsonl.gz" for n in range(4, -1, -1)]
