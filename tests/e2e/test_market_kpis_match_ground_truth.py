"""kpi_market_daily against the generator's truth, summed per market in plain Python."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import duckdb
import pytest

from sandbox.ground_truth import shop_daily_truth

pytestmark = pytest.mark.e2e

FIELDS = ("orders_placed", "orders_paid", "gmv_paid", "orders_delivered")


def test_every_market_and_the_whole_seller_add_up_their_shops(loaded_warehouse):
    home, sandbox, *_ = loaded_warehouse
    market_of = {shop.shop_id: shop.region for shop in sandbox.dataset.shops}
    truth = shop_daily_truth(sandbox.dataset, sandbox.as_of(), sandbox.api.after_sales)
    expected: dict[tuple[str, object], dict[str, Decimal]] = defaultdict(
        lambda: dict.fromkeys(FIELDS, Decimal(0))
    )
    for (shop_id, day), t in truth.items():
        for market in (market_of[shop_id], "ALL"):
            for field in FIELDS:
                if market == "ALL" and field == "gmv_paid":
                    continue  # no local-currency money across markets
                expected[(market, day)][field] += Decimal(getattr(t, field))
    connection = duckdb.connect(str(home / "serving" / "serving.duckdb"), read_only=True)
    try:
        rows = connection.execute(
            f"select market, local_date, {', '.join(FIELDS)} from marts.kpi_market_daily"
        ).fetchall()
    finally:
        connection.close()
    actual = {
        (market, day): {
            f: Decimal(str(v)) for f, v in zip(FIELDS, values, strict=True) if v is not None
        }
        for market, day, *values in rows
    }
    assert {m for m, _ in actual} == set(market_of.values()) | {"ALL"}
    differences = []
    for key, values in expected.items():
        for field, value in values.items():
            if key[0] == "ALL" and field == "gmv_paid":
                continue
            got = actual.get(key, {}).get(field, Decimal(0))
            if got != value:
                differences.append((key, field, got, value))
    assert not differences, sorted(differences, key=str)[:10]
    assert all("gmv_paid" not in values for (m, _), values in actual.items() if m == "ALL")
