"""Local days of 23 and 25 hours on real parts: around 2026's spring-forward and fall-back in
Los Angeles and London, kpi_shop_daily counts every order on the shop-local day the generator's
zoneinfo truth gives it.

Why a run of its own: the shared e2e window (1–20 Nov) holds only the US fall-back; London is
on GMT (= UTC) all through it, so UTC days would pass there, and both spring-forwards are in
March. To keep it cheap, two small sandboxes (three shops — two on Los Angeles time, one on
London time — and a few orders a day) land only the shops, the orders and the ECB file (the
ingest job's three assets, in one subprocess whose partitions start with the spring), then one
dbt invocation builds kpi_shop_daily and what it needs (seeds and models, no tests). Mexico
City has kept standard time all year since 2022 (tzdata), so the MX shop has no transition."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import duckdb
import pytest

from linkstar_pipeline.defs.dbt.project import dbt_project
from linkstar_pipeline.lib.dbt_source_folders import ensure_every_feed_readable
from sandbox.ground_truth import local_date, shop_daily_truth
from tests.conftest import sandbox_running
from tests.e2e.dbt_cli import run_dbt
from tests.e2e.test_refresh_matches_ground_truth import TRUTH_FIELDS, mart_column

pytestmark = pytest.mark.e2e

# Measures dated by an order's own event (completion and refunds depend on the data's newest
# change, which two windows in one warehouse do not share; no returns are landed here).
FIELDS = [
    field
    for field in TRUTH_FIELDS
    if not field.startswith(("orders_completed", "gmv_completed", "refund_", "orders_with_return"))
] + ["orders_placed_later_cancelled"]
SHOPS = 3  # LinkStar Home US and Beauty US (Los Angeles), Home UK (London)

# Land the shops, the orders changed on each UTC day and the ECB file (the FX staging model
# needs one) from each sandbox in turn, as the nightly ingest job does; one process for both
# windows (Dagster's start-up is paid once), its partitions starting with the first window.
_INGEST = """
import os
import sys
from datetime import date
import dagster as dg
from connectors.sandbox_defaults import sandbox_environment
from linkstar_pipeline.definitions import defs
from linkstar_pipeline.defs.refresh.jobs import INGEST_JOB_NAME, partition_range_tags

job = defs.resolve_job_def(INGEST_JOB_NAME)
for base_url, start, end in zip(*[iter(sys.argv[1:])] * 3):
    os.environ.update(sandbox_environment(base_url))
    result = job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        tags=partition_range_tags(date.fromisoformat(start), date.fromisoformat(end)),
        asset_selection=[
            dg.AssetKey(["tiktok_shop", "shops"]),
            dg.AssetKey(["tiktok_shop", "orders"]),
            dg.AssetKey(["fx", "ecb_history"]),
        ],
        raise_on_error=False,
    )
    if not result.success:
        sys.exit(f"landing {start}..{end} from {base_url} failed")
"""


@dataclass(frozen=True)
class Window:
    start: date
    end: date  # last generated UTC day
    as_of: datetime  # the sandbox's data clock; its UTC day is the last one landed


# Each window holds a week or more of British Summer Time, when London's midnight is 23:00 UTC:
# with ten orders a shop-day, a couple of dozen events fall between the two midnights.
SPRING = Window(date(2026, 3, 7), date(2026, 4, 4), datetime(2026, 4, 5, tzinfo=UTC))
FALL = Window(date(2026, 10, 17), date(2026, 11, 2), datetime(2026, 11, 3, tzinfo=UTC))
EVENTS = ("create_time", "paid_time", "delivery_time", "cancel_time")


def hours_in(day: date, zone: str) -> float:
    """Length of a local day: 23 on a spring-forward, 25 on a fall-back, else 24."""
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time(), tz)
    end = datetime.combine(day + timedelta(days=1), time(), tz)
    return (end.timestamp() - start.timestamp()) / 3600


def events_off_their_utc_day(dataset, as_of: int) -> Counter:
    """Per shop, the order events (creation, payment, delivery, cancellation) whose shop-local
    day differs from their UTC day: for London, only those in summer time."""
    shifted: Counter = Counter()
    for order in dataset.orders:
        state = order.state_at(as_of)
        for name, moment in state.times.items() if state else ():
            if name in EVENTS and local_date(order.shop, moment) != utc_day(moment):
                shifted[order.shop.shop_id] += 1
    return shifted


def utc_day(unix_seconds: int) -> date:
    return datetime.fromtimestamp(unix_seconds, UTC).date()


def land_orders(home, landings: list[tuple[str, Window]]) -> None:
    """Land each (sandbox base URL, window) into `home`, in one subprocess."""
    env = {
        **os.environ,
        "LINKSTAR_HOME": str(home),
        "LINKSTAR_PARTITIONS_START": min(window.start for _, window in landings).isoformat(),
        "TIKTOK_SHOP_MAX_REQUESTS_PER_SECOND": "0",  # the test sandboxes do not throttle
    }
    arguments = [
        value
        for base_url, window in landings
        for value in (base_url, window.start.isoformat(), window.as_of.date().isoformat())
    ]
    landed = subprocess.run(
        [sys.executable, "-c", _INGEST, *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert landed.returncode == 0, landed.stdout[-3000:] + landed.stderr[-3000:]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(kpi_shop_daily rows by (shop, day), truth by (shop, day), each shop's time zone, and
    per shop the events whose local day is not their UTC day)."""
    root = tmp_path_factory.mktemp("dst")
    home = root / "home"
    truth, zones, shifted = {}, {}, Counter()
    with ExitStack() as running:
        landings = []
        for window in (SPRING, FALL):
            sandbox = running.enter_context(
                sandbox_running(
                    shop_count=SHOPS,
                    start_date=window.start,
                    end_date=window.end,
                    as_of=window.as_of,
                    orders_per_shop_day=10,
                )
            )
            landings.append((sandbox.base_url, window))
            # One warehouse: its loaded history starts with the spring window, for both.
            truth.update(shop_daily_truth(sandbox.dataset, sandbox.as_of(), first_day=SPRING.start))
            zones.update({shop.shop_id: shop.time_zone for shop in sandbox.dataset.shops})
            shifted.update(events_off_their_utc_day(sandbox.dataset, sandbox.as_of()))
        land_orders(home, landings)
    ensure_every_feed_readable(dbt_project.manifest_path, home / "raw")
    run_dbt(
        home,
        *("build", "--select", "+kpi_shop_daily"),
        *("--resource-type", "seed", "--resource-type", "model"),
        target_path=root / "target",
    )
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as warehouse:
        rows = warehouse.execute(
            f"select shop_id, local_date, {', '.join(map(mart_column, FIELDS))} from marts.kpi_shop_daily"
        ).fetchall()
    marts = {(shop, day): dict(zip(FIELDS, values, strict=True)) for shop, day, *values in rows}
    return marts, truth, zones, shifted


def test_the_windows_hold_a_23_and_a_25_hour_day_with_orders_for_every_shop(built):
    """And London's summer time moves enough events off their UTC day (UTC days would pass
    on the shared window, which is all GMT)."""
    _, truth, zones, shifted = built
    assert min(shifted[shop] for shop in zones) >= 10, shifted
    lengths = {
        (shop, hours_in(day, zones[shop])) for (shop, day), t in truth.items() if t.orders_placed
    }
    assert {(shop, hours) for shop in zones for hours in (23, 25)} <= lengths
    assert {zone for zone in zones.values()} == {"America/Los_Angeles", "Europe/London"}


def test_every_order_counts_on_its_shop_local_day_across_the_clock_changes(built):
    marts, truth, *_ = built
    differences = []
    for key in sorted(set(truth) | set(marts)):
        for field in FIELDS:
            expected = getattr(truth[key], field) if key in truth else 0
            actual = marts.get(key, {}).get(field, 0)
            if Decimal(str(actual)) != Decimal(str(expected)):
                differences.append((key, field, actual, expected))
    assert not differences, differences[:20]


def test_mexico_city_has_no_clock_change_to_test():
    """Why the MX shop is not here: tzdata keeps Mexico City on UTC−6 all year since 2022."""
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(365)]
    assert {hours_in(day, "America/Mexico_City") for day in days} == {24}
