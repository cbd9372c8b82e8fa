"""Re-running partitions on real parts: no duplicates, and changes after the first load land.

Every expected number comes from the sandbox generator's plain-Python ground truth."""

from __future__ import annotations

from datetime import timedelta

import pytest

from linkstar_pipeline.defs.refresh.jobs import default_refresh_range
from linkstar_pipeline.lib.clock import CLOCK_VARIABLE
from linkstar_pipeline.lib.paths import linkstar_paths
from linkstar_pipeline.lib.settings import PipelineSettings
from sandbox.ground_truth import shop_daily_truth
from tests.conftest import AS_OF, point_connectors_at, refresh, sandbox_running
from tests.e2e.test_refresh_matches_ground_truth import (
    assert_marts_match_truth,
    assert_returns_match_truth,
    serving_rows,
)

pytestmark = pytest.mark.e2e
KPI_CONFIG = ("kpi_config",)


def test_rerunning_partitions_never_duplicates_and_late_changes_land(
    tmp_path, monkeypatch, linkstar_home
):
    """Land six days, move the sandbox clock three days on (orders ship, deliver, cancel, are
    refunded), land the nightly's own range (its look-back, LINKSTAR_LOOKBACK_DAYS) twice (the
    second time with the one dbt build), and compare with the ground truth at the new clock: a
    look-back shorter than the time since the last run misses the changes made after it.
    Four shops (US, GB, ID, TH: four currencies and clocks) and a six-day history keep it
    quick; the shared e2e refresh covers the long history."""
    start = AS_OF.date() - timedelta(days=5)
    with sandbox_running(shop_count=4, start_date=start) as sandbox:
        point_connectors_at(monkeypatch, sandbox)
        # The example kpi_config/ names all twelve shops, this sandbox serves four: once the
        # four have landed, the config fails its check (and version 1 stays in force).
        refresh(start, AS_OF.date(), ingestion_only=True, may_fail=KPI_CONFIG)
        first = shop_daily_truth(sandbox.dataset, sandbox.as_of(), sandbox.api.after_sales)

        later = AS_OF + timedelta(days=3)
        sandbox.set_as_of(later)
        # The pipeline's clock moves with the data's: FX is carried forward to its today, and
        # a shop day after it would have no rate (and block the publish).
        monkeypatch.setenv(CLOCK_VARIABLE, later.isoformat())
        nightly = default_refresh_range(
            later.date(), linkstar_paths().raw_dir, PipelineSettings.from_env()
        )
        # The same partitions landed twice; dbt then builds from both landings once. (More
        # runs of one range: the crash stage's five on one home, marts equal to a clean run's.)
        refresh(*nightly, ingestion_only=True, may_fail=KPI_CONFIG)
        refresh(*nightly, may_fail=KPI_CONFIG)

        assert_marts_match_truth(
            linkstar_home, sandbox.dataset, sandbox.as_of(), sandbox.api.after_sales
        )
        assert_returns_match_truth(linkstar_home, sandbox, sandbox.as_of())
        assert (
            shop_daily_truth(sandbox.dataset, sandbox.as_of(), sandbox.api.after_sales) != first
        ), "moving the clock must change some day's numbers, or this test proves nothing"
        (orders, distinct) = serving_rows(
            linkstar_home, "select count(*), count(distinct order_id) from marts.fct_orders"
        )[0]
        assert orders == distinct
        landed = sorted(
            p.name for p in (linkstar_home / "raw" / "tiktok_shop" / "orders").iterdir()
        )
        expected_days = (later.date() - start).days + 1
        assert len(landed) == expected_days and all(name.endswith(".jsonl.gz") for name in landed)
