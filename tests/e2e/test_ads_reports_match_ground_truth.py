"""TikTok Ads campaigns and GMV Max after the shared e2e refresh (sandbox over HTTP → raw files
→ dbt), compared with the ads generator's plain-Python truth."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import duckdb
import pytest

from sandbox.ads_generator import gmv_max_daily_truth
from tests.conftest import AS_OF, HISTORY_START

pytestmark = pytest.mark.e2e


def warehouse_rows(home, sql: str):
    connection = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def test_staged_campaigns_are_the_generators_campaigns(loaded_warehouse):
    home, sandbox, *_ = loaded_warehouse
    rows = warehouse_rows(
        home,
        "select campaign_id, advertiser_id, campaign_name, budget_amount, budget_mode "
        "from staging.stg_tiktok_ads__campaigns",
    )
    expected = {
        (c.campaign_id, c.advertiser_id, c.name, c.budget, c.budget_mode)
        for c in sandbox.ads_dataset.campaigns
        if c.create_time <= sandbox.as_of()
    }
    assert expected and {tuple(row) for row in rows} == expected
    assert len(rows) == len(expected)


def test_gmv_max_daily_stats_equal_the_ground_truth(loaded_warehouse):
    home, sandbox, *_ = loaded_warehouse
    rows = warehouse_rows(
        home,
        "select advertiser_id, store_id, campaign_id, stat_date, cost_amount, orders, "
        "gross_revenue_amount from staging.stg_tiktok_ads__gmv_max_daily_stats",
    )
    staged = {
        (a, s, c, d): (Decimal(str(cost)), orders, Decimal(str(revenue)))
        for a, s, c, d, cost, orders, revenue in rows
    }
    truth = gmv_max_daily_truth(
        sandbox.ads_dataset, sandbox.as_of(), HISTORY_START, AS_OF.date() + timedelta(days=1)
    )
    expected = {key: (day.cost, day.orders, day.gross_revenue) for key, day in truth.items()}
    assert len({key[1] for key in expected}) >= 2, "several stores run GMV Max"
    differences = [
        (key, staged.get(key), expected.get(key))
        for key in set(staged) | set(expected)
        if staged.get(key) != expected.get(key)
    ]
    assert not differences, sorted(differences, key=str)[:10]
    assert min(key[3] for key in staged) == HISTORY_START
