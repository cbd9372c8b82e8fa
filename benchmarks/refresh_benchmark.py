"""How long a full refresh takes, and how much memory, at a chosen sandbox scale.

    .venv/bin/python benchmarks/refresh_benchmark.py --days 30 --orders-per-shop-day 200

Starts the sandbox (its default rate limit, 50 requests/s, applies: the figures include paging
at the API's pace), loads every day into a temporary LINKSTAR_HOME with the same job as
`linkstar run`, and prints wall time per step, throughput, file sizes and peak memory. Prints
figures only; it asserts nothing and is not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _size_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6


def _step_seconds(instance, run_id: str) -> dict[str, float]:
    return {
        stats.step_key: (stats.end_time or stats.start_time) - stats.start_time
        for stats in instance.get_run_step_stats(run_id)
        if stats.start_time
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--orders-per-shop-day", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    end = date(2026, 11, 20)
    start = end - timedelta(days=args.days - 1)
    as_of = datetime(end.year, end.month, end.day, 23, 0, tzinfo=UTC)
    home = Path(tempfile.mkdtemp(prefix="linkstar-bench-"))
    os.environ["LINKSTAR_HOME"] = str(home)
    os.environ["DAGSTER_HOME"] = str(home / "dagster")
    (home / "dagster").mkdir()

    from dagster import DagsterInstance

    from connectors.sandbox_defaults import sandbox_environment
    from linkstar_pipeline.lib.refresh_run import run_refresh
    from sandbox.server import SandboxSettings, running_sandbox

    settings = SandboxSettings(
        port=0,
        seed=args.seed,
        start_date=start,
        end_date=end,
        as_of=as_of,
        orders_per_shop_day=args.orders_per_shop_day,
    )
    with running_sandbox(settings) as sandbox:
        os.environ.update(sandbox_environment(sandbox.base_url))
        os.environ["LINKSTAR_NOW"] = as_of.isoformat()  # the pipeline's clock = the sandbox's
        orders = sum(1 for order in sandbox.dataset.orders if order.api_view(sandbox.as_of()))
        began = time.perf_counter()
        instance = DagsterInstance.get()
        outcome = run_refresh(instance, start, end)
        wall = time.perf_counter() - began
        requests_made = len(sandbox.request_log)

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"scale: {args.days} days x "
        f"{args.orders_per_shop_day} orders/shop/day -> {orders} orders, {requests_made} API requests"
    )
    print(f"sources: {'; '.join(status.line() for status in outcome.sources)}")
    print(f"build succeeded: {outcome.build.success}")
    print(f"wall time, whole refresh: {wall:.1f} s ({orders / wall:.0f} orders/s)")
    steps = {
        **_step_seconds(instance, outcome.ingestion.run_id),
        **_step_seconds(instance, outcome.build.run_id),
    }
    for step, seconds in sorted(steps.items(), key=lambda item: -item[1]):
        print(f"  {step:45s} {seconds:7.1f} s")
    print(
        f"raw files: {_size_mb(home / 'raw'):.1f} MB, warehouse: {_size_mb(home / 'warehouse.duckdb'):.1f} MB, "
        f"serving: {_size_mb(home / 'serving'):.1f} MB"
    )
    print(f"peak RSS: pipeline process {own:.0f} MB, largest child (dbt) {children:.0f} MB")
    print(f"LINKSTAR_HOME kept at {home}")
    return outcome.exit_code


if __name__ == "__main__":
    sys.exit(main())
