"""kpi_drivers_daily / _weekly on the shared e2e warehouse: every split adds up exactly to the
change, each factor is within a cent of its exact Shapley value (computed here with
fractions), and each change is recomputed in plain Python — orders from the generator's
truth, GMV from kpi_shop_daily's reporting-currency days."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import product

import duckdb
import pytest

from sandbox.ground_truth import shop_daily_truth
from tests.e2e.configured_regions import UNASSIGNED, region_of_market

pytestmark = pytest.mark.e2e

COMPARISONS = {
    "kpi_drivers_daily": {"previous_day": 1, "same_weekday_last_week": 7, "four_weeks_before": 28},
    "kpi_drivers_weekly": {"previous_week": 7, "four_weeks_before": 28},
}
PARENT_TYPE = {"shop": "market", "market": "region", "region": "seller"}
KEY = ("period_start", "comparison", "scope_type", "scope_id", "metric")


def _rows(home, sql: str) -> list[dict]:
    connection = duckdb.connect(str(home / "serving" / "serving.duckdb"), read_only=True)
    try:
        cursor = connection.execute(sql)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        connection.close()


def _drivers(home, mart: str) -> dict[tuple, dict]:
    rows = _rows(home, f"select * from marts.{mart}")
    return {tuple(row[k] for k in KEY): row for row in rows}


def _shapley(x: tuple, y: tuple, z: tuple | None) -> Fraction:
    """Factor x's exact Shapley share of the change of x·y(·z) from index 0 to index 1."""
    if z is None:
        return (x[1] - x[0]) * (y[0] + y[1]) / 2
    weights = 2 * (y[0] * z[0] + y[1] * z[1]) + y[0] * z[1] + y[1] * z[0]
    return (x[1] - x[0]) * weights / 6


def _ratios(numerators: tuple, denominators: tuple) -> tuple[Fraction, Fraction]:
    """A ratio without a denominator takes the other period's (that factor did not move)."""
    own = [
        Fraction(n) / Fraction(d) if d else None
        for n, d in zip(numerators, denominators, strict=True)
    ]
    return (
        next((r for r in (own[0], own[1]) if r is not None), Fraction(0)),
        next((r for r in (own[1], own[0]) if r is not None), Fraction(0)),
    )


@pytest.mark.parametrize("mart", sorted(COMPARISONS))
def test_every_split_adds_up_exactly_to_the_change(loaded_warehouse, mart):
    home, *_ = loaded_warehouse
    rows = _drivers(home, mart)
    complete = [row for row in rows.values() if row["split_status"] == "complete"]
    assert {(row["scope_type"], row["metric"]) for row in complete} == {
        (scope, metric) for scope in (*PARENT_TYPE, "seller") for metric in ("gmv", "orders")
    }
    problems = []
    for key, row in rows.items():
        if row["split_status"] == "complete":
            factors = [row["traffic_contribution"], row["conversion_contribution"]]
            factors += [row["aov_contribution"]] if row["metric"] == "gmv" else []
            if sum(factors) != row["change"]:
                problems.append(("factors", key, factors, row["change"]))
        if row["video_contribution"] is not None:
            channels = [row[f"{c}_contribution"] for c in ("video", "live", "product_card")]
            if sum(channels) != row["change"]:
                problems.append(("channels", key, channels, row["change"]))
    children: dict[tuple, list] = defaultdict(list)
    for key, row in rows.items():
        if row["parent_scope_id"] is not None:
            parent_type = PARENT_TYPE[row["scope_type"]]
            children[(key[0], key[1], parent_type, row["parent_scope_id"], key[4])].append(row)
    for key, row in rows.items():
        if row["scope_type"] != "shop" and row["change"] is not None:
            total = sum(child["change"] for child in children[key])
            if total != row["change"]:
                problems.append(("sub_scopes", key, total, row["change"]))
    assert not problems, problems[:5]


@pytest.mark.parametrize("mart", sorted(COMPARISONS))
def test_each_factor_is_within_a_cent_of_its_exact_shapley_value(loaded_warehouse, mart):
    home, *_ = loaded_warehouse
    rows = _drivers(home, mart)
    checked, problems = 0, []
    for key, row in rows.items():
        if row["split_status"] != "complete":
            continue
        orders_row = rows[(*key[:4], "orders")]
        visitors = (row["comparison_visitors"], row["current_visitors"])
        orders = (orders_row["comparison_value"], orders_row["current_value"])
        conversion = _ratios(orders, visitors)
        if row["metric"] == "gmv":
            aov = _ratios((row["comparison_value"], row["current_value"]), orders)
            exact = {
                "traffic": _shapley(visitors, conversion, aov),
                "conversion": _shapley(conversion, visitors, aov),
                "aov": _shapley(aov, visitors, conversion),
            }
        else:
            exact = {
                "traffic": _shapley(visitors, conversion, None),
                "conversion": _shapley(conversion, visitors, None),
            }
        for factor, value in exact.items():
            checked += 1
            if abs(Fraction(row[f"{factor}_contribution"]) - value) >= Fraction(1, 100):
                problems.append((key, factor, row[f"{factor}_contribution"], float(value)))
    assert checked > 100
    assert not problems, problems[:5]


def _week(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _plus(total: Decimal | None, value: Decimal | None) -> Decimal | None:
    """A sum that is unknown once any part is (a shop day without an FX rate)."""
    return None if total is None or value is None else total + value


def _shop_periods(home, sandbox, period) -> dict[tuple[str, date], dict[str, Decimal | None]]:
    """(shop, period) → orders (the generator's truth) and GMV (kpi_shop_daily's days), for the
    shop periods kpi_shop_daily has."""
    truth = shop_daily_truth(sandbox.dataset, sandbox.as_of(), sandbox.api.after_sales)
    values: dict[tuple, dict[str, Decimal | None]] = defaultdict(
        lambda: {"orders": Decimal(0), "gmv": Decimal(0)}
    )
    sql = "select shop_id, local_date, gmv_amount_reporting from marts.kpi_shop_daily"
    for row in _rows(home, sql):
        bucket = values[(row["shop_id"], period(row["local_date"]))]
        day_truth = truth.get((row["shop_id"], row["local_date"]))
        bucket["orders"] += day_truth.orders_paid if day_truth else 0
        bucket["gmv"] = _plus(bucket["gmv"], row["gmv_amount_reporting"])
    return values


def _expected_changes(home, sandbox, mart: str) -> dict[tuple, tuple]:
    """(period, comparison, scope type, scope, metric) → (current, comparison) value, like for
    like: a scope sums the shops that have the period, each shop's comparison period counting
    zero where it has no row; compared only inside the loaded history."""
    values = _shop_periods(
        home, sandbox, (lambda day: day) if mart == "kpi_drivers_daily" else _week
    )
    market_of = {shop.shop_id: shop.region for shop in sandbox.dataset.shops}
    region_of = {
        shop.shop_id: region_of_market().get(shop.region, UNASSIGNED)
        for shop in sandbox.dataset.shops
    }
    first = min(p for _, p in values)
    expected: dict[tuple, list] = {}
    for (shop, current), now in values.items():
        scopes = (
            ("shop", shop),
            ("market", market_of[shop]),
            ("region", region_of[shop]),
            ("seller", "ALL"),
        )
        for comparison, days_back in COMPARISONS[mart].items():
            before_period = current - timedelta(days=days_back)
            if before_period < first:
                continue
            before = values.get((shop, before_period), {"orders": Decimal(0), "gmv": Decimal(0)})
            for (scope_type, scope), metric in product(scopes, ("orders", "gmv")):
                totals = expected.setdefault(
                    (current, comparison, scope_type, scope, metric), [Decimal(0), Decimal(0)]
                )
                totals[0] = _plus(totals[0], now[metric])
                totals[1] = _plus(totals[1], before[metric])
    return {key: tuple(totals) for key, totals in expected.items()}


@pytest.mark.parametrize("mart", sorted(COMPARISONS))
def test_each_change_equals_its_recomputation_from_the_shop_days(loaded_warehouse, mart):
    home, sandbox, *_ = loaded_warehouse
    rows = _drivers(home, mart)
    expected = _expected_changes(home, sandbox, mart)
    assert set(rows) == set(expected)
    differences = []
    for key, (current, before) in expected.items():
        row = rows[key]
        change = None if current is None or before is None else current - before
        if (row["current_value"], row["change"]) != (current, change):
            differences.append((key, row["current_value"], row["change"], current, change))
    assert not differences, sorted(differences, key=str)[:5]
