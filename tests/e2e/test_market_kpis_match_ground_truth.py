"""kpi_market_daily and kpi_seller_daily (the whole seller, market "ALL" here) against the
generator's truth, summed per market and over every shop in plain Python."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import duckdb
import pytest

from sandbox.generator import CANCELLED
from sandbox.ground_truth import in_loaded_history, loaded_orders, local_date, shop_daily_truth
from tests.e2e.test_refresh_matches_ground_truth import markets_and_seller_sql, mart_column

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
        rows = connection.execute(markets_and_seller_sql(list(map(mart_column, FIELDS)))).fetchall()
        ((whole_seller_rows,),) = connection.execute(
            "select count(*) from marts.kpi_market_daily where market = 'ALL'"
        ).fetchall()
    finally:
        connection.close()
    actual = {
        (market, day): {
            f: Decimal(str(v)) for f, v in zip(FIELDS, values, strict=True) if v is not None
        }
        for market, day, *values in rows
    }
    assert whole_seller_rows == 0, "the whole seller is kpi_seller_daily, not a market row"
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


def test_a_buyer_paying_in_two_shops_of_a_market_is_one_buyer_of_the_market(loaded_warehouse):
    """buyers_paid per market and day is the number of distinct people (user ids) with an order
    paid that day and not cancelled by the data clock, across the market's shops (and every
    shop: kpi_seller_daily) — the generator's market buyers buy in both shops of US, GB and ID, so the sum of the
    shops' counts would be too high."""
    home, sandbox, *_ = loaded_warehouse
    as_of = sandbox.as_of()
    buyers: dict[tuple[str, object], set[str]] = defaultdict(set)
    shops_of: dict[tuple[str, object, str], set[str]] = defaultdict(set)
    for order in loaded_orders(sandbox.dataset, as_of):
        state = order.state_at(as_of)
        if state is None or "paid_time" not in state.times or state.status == CANCELLED:
            continue
        day = local_date(order.shop, state.times["paid_time"])
        if not in_loaded_history(sandbox.dataset, day):
            continue  # paid before the loaded history: on no shop day (nor market day)
        for market in (order.shop.region, "ALL"):
            buyers[(market, day)].add(order.buyer.user_id)
        shops_of[(order.shop.region, day, order.buyer.user_id)].add(order.shop.shop_id)
    connection = duckdb.connect(str(home / "serving" / "serving.duckdb"), read_only=True)
    try:
        rows = connection.execute(markets_and_seller_sql(["buyers_paid"])).fetchall()
    finally:
        connection.close()
    actual = {(market, day): count for market, day, count in rows if count}
    assert actual == {key: len(people) for key, people in buyers.items()}
    assert any(len(shops) > 1 for shops in shops_of.values()), (
        "some buyer must pay in two shops of a market on one day, or this test proves nothing"
    )
