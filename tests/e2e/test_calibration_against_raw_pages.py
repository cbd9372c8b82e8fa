"""Calibration (issue #14): kpi_shop_daily's paid orders and GMV recomputed in Python straight
from the raw pages equal the mart on every shop-day, and a cent or an order moved in the mart is
named by shop and day."""

from __future__ import annotations

import shutil
from decimal import Decimal

import duckdb
import pytest

from linkstar_pipeline.lib.calibration import calibrate, paid_days_from_raw
from linkstar_pipeline.lib.paths import LinkstarPaths

pytestmark = pytest.mark.e2e


def test_every_paid_shop_day_of_the_mart_equals_the_raw_pages(loaded_warehouse):
    home, _, record, _ = loaded_warehouse
    result = calibrate(LinkstarPaths(home), sample=None)
    assert result.compared == len(paid_days_from_raw(home / "raw")) > 200
    assert result.off == []
    (evaluation,) = [
        e
        for e in record.get_asset_check_evaluations()
        if e.check_name == "kpi_shop_daily_matches_the_raw_pages"
    ]
    assert evaluation.passed  # the refresh ran the sampled check on kpi_shop_daily


def test_a_cent_or_an_order_moved_in_the_mart_is_named_by_shop_and_day(loaded_warehouse, tmp_path):
    home, *_ = loaded_warehouse
    copy = tmp_path / "home"
    copy.mkdir()
    shutil.copy(home / "warehouse.duckdb", copy / "warehouse.duckdb")
    (copy / "raw").symlink_to(home / "raw")
    (first, cent_day), (second, order_day) = sorted(paid_days_from_raw(home / "raw"))[:2]
    with duckdb.connect(str(copy / "warehouse.duckdb")) as warehouse:
        warehouse.execute(
            "update marts.kpi_shop_daily set gmv_paid_amount = gmv_paid_amount + 0.01 "
            "where shop_id = ? and local_date = ?",
            [first, cent_day],
        )
        warehouse.execute(
            "update marts.kpi_shop_daily set orders_paid = orders_paid - 1 "
            "where shop_id = ? and local_date = ?",
            [second, order_day],
        )

    off = calibrate(LinkstarPaths(copy), sample=None).off

    assert [(row["shop_id"], row["local_date"]) for row in off] == [
        (first, cent_day.isoformat()),
        (second, order_day.isoformat()),
    ]
    assert Decimal(off[0]["gmv_paid_in_mart"]) - Decimal(off[0]["gmv_paid_from_raw"]) == Decimal(
        "0.01"
    )
    assert off[1]["orders_paid_in_mart"] == off[1]["orders_paid_from_raw"] - 1
