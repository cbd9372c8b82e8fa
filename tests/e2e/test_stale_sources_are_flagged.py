"""A stale source (issue #14's injection "a stale source"): the same warehouse judged 60 hours
after its last landing. marts.data_freshness must say, per source and shop, how old each is
against the freshness_thresholds seed, and the trust line must name the stale sources."""

from __future__ import annotations

import csv
import shutil
from datetime import timedelta

import duckdb
import pytest

from linkstar_pipeline.lib.clock import CLOCK_VARIABLE
from linkstar_pipeline.lib.paths import LinkstarPaths
from linkstar_pipeline.lib.trust import SEEDS_DIR, trust_line
from tests.e2e.dbt_cli import run_dbt

pytestmark = pytest.mark.e2e

HOURS_AFTER_LAST_LANDING = 60


def _thresholds() -> dict[str, tuple[int, int, str]]:
    with (SEEDS_DIR / "freshness_thresholds.csv").open(encoding="utf-8") as handle:
        return {
            row["source"]: (
                int(row["warn_after_hours"]),
                int(row["error_after_hours"]),
                row["measured_on"],
            )
            for row in csv.DictReader(handle)
        }


def test_sources_judged_60_hours_after_their_last_landing_are_stale(
    loaded_warehouse, tmp_path, monkeypatch
):
    home, *_ = loaded_warehouse
    copy = tmp_path / "home"
    shutil.copytree(home, copy, ignore=shutil.ignore_patterns("serving", "*.lock"))
    with duckdb.connect(str(copy / "warehouse.duckdb"), read_only=True) as connection:
        (last_landing,) = connection.execute(
            "select max(last_success_at_utc) from marts.data_freshness"
        ).fetchone()
    later = last_landing + timedelta(hours=HOURS_AFTER_LAST_LANDING)
    monkeypatch.setenv(CLOCK_VARIABLE, later.isoformat())
    run_dbt(copy, "run", "--select", "data_freshness", target_path=tmp_path / "target")

    with duckdb.connect(str(copy / "warehouse.duckdb"), read_only=True) as connection:
        rows = connection.execute(
            """select source, shop_id, last_success_at_utc, newest_event_at_utc, age_hours,
                      status, reason
               from marts.data_freshness"""
        ).fetchall()
    thresholds = _thresholds()
    assert {row[0] for row in rows} == set(thresholds)
    for source, shop, landed, newest, age, status, reason in rows:
        warn, error, measured_on = thresholds[source]
        measured_from = newest if measured_on == "event" else landed
        hours = (later - measured_from) / timedelta(hours=1)
        assert abs(age - hours) <= 1, (source, shop, age, hours)  # whole hours crossed
        expected = "error" if age > error else "warn" if age > warn else "ok"
        assert status == expected, (source, shop, age)
        assert status == "ok" or (f"{age} h old" in reason and f"error after {error} h" in reason)
    statuses = {source: {row[5] for row in rows if row[0] == source} for source in thresholds}
    # 60 h: past every load's error threshold but the ERP's (74 h), and FX is older still.
    assert statuses["tiktok_shop_orders"] == statuses["tiktok_ads"] == {"error"}
    assert statuses["erp"] == {"warn"}
    assert statuses["fx"] == {"error"}
    line = trust_line(LinkstarPaths(copy))
    assert "stale: " in line and "tiktok_shop_orders (" in line and "erp (" in line
