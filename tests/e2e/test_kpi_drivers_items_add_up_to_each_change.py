"""kpi_drivers_items_daily on the shared e2e warehouse: each scope day's creators add up exactly
to its video channel's change and its products to its GMV change (kpi_drivers_daily), and every
part and rank equals its recomputation here in plain Python — a creator's part from
fct_videos_daily's rows, a product's by largest remainders (with fractions) over
fct_order_lines' line GMV in the shop's currency, rolled up to markets, regions and the seller."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import product

import pytest

from tests.e2e.configured_regions import UNASSIGNED, region_of_market
from tests.e2e.test_kpi_drivers_explain_every_change import COMPARISONS, _rows

pytestmark = pytest.mark.e2e

MART = "marts.kpi_drivers_items_daily"
KEY = ("period_start", "comparison", "scope_type", "scope_id", "split_kind", "item_id")
DAYS_BACK = COMPARISONS["kpi_drivers_daily"]
ScopeDay = tuple[date, str, str, str]  # (period_start, comparison, scope_type, scope_id)


@pytest.fixture(scope="module")
def wholes(loaded_warehouse) -> dict[tuple[ScopeDay, str], Decimal | None]:
    """(scope day, split kind) → what its parts must add up to, from kpi_drivers_daily."""
    home, *_ = loaded_warehouse
    rows = _rows(
        home,
        "select period_start, comparison, scope_type, scope_id, change, video_contribution "
        "from marts.kpi_drivers_daily where metric = 'gmv'",
    )
    wholes = {}
    for row in rows:
        scope_day = (row["period_start"], row["comparison"], row["scope_type"], row["scope_id"])
        wholes[(scope_day, "product")] = row["change"]
        wholes[(scope_day, "creator")] = row["video_contribution"]
    return wholes


@pytest.fixture(scope="module")
def item_days(loaded_warehouse) -> dict[tuple[str, str, date], dict[str, Decimal]]:
    """(split kind, shop, day) → item → GMV: creators' video GMV (reporting currency) and
    products' paid line GMV (shop currency), on the days kpi_shop_daily has."""
    home, *_ = loaded_warehouse
    (basis,) = {
        r["sales_basis"] for r in _rows(home, "select sales_basis from marts.kpi_shop_daily")
    }
    days = {
        (r["shop_id"], r["local_date"])
        for r in _rows(home, "select shop_id, local_date from marts.kpi_shop_daily")
    }
    values: dict[tuple[str, str, date], dict[str, Decimal]] = defaultdict(
        lambda: defaultdict(Decimal)
    )
    videos = _rows(
        home,
        "select shop_id, local_date, posted_by_type, creator_key, attributed_gmv_amount_reporting "
        "from marts.fct_videos_daily",
    )
    for row in videos:
        if (row["shop_id"], row["local_date"]) in days:
            poster = "shop_account" if row["posted_by_type"] == "shop_account" else "unknown"
            bucket = values[("creator", row["shop_id"], row["local_date"])]
            item, gmv = row["creator_key"] or poster, row["attributed_gmv_amount_reporting"]
            bucket[item] = None if gmv is None or bucket[item] is None else bucket[item] + gmv
    lines = _rows(
        home,
        f"select lines.shop_id, orders.{basis}_local_date as day, lines.product_id, "
        "lines.line_gmv_amount from marts.fct_order_lines as lines "
        f"join marts.fct_orders as orders using (order_id) where orders.counts_as_{basis}",
    )
    for row in lines:
        if (row["shop_id"], row["day"]) in days:
            values[("product", row["shop_id"], row["day"])][row["product_id"]] += row[
                "line_gmv_amount"
            ]
    return values


def _by_largest_remainders(change: Decimal, weights: dict[str, int]) -> dict[str, Decimal]:
    """The change's cents, sign aside, cut in proportion to the weights: each item the floor of
    its exact share, the cents left over one each to the largest remainders (ties: item id)."""
    cents, total = abs(int(change * 100)), sum(weights.values())
    exact = {item: Fraction(cents * weight, total) for item, weight in weights.items()}
    floors = {item: math.floor(share) for item, share in exact.items()}
    left_over = cents - sum(floors.values())
    order = sorted(exact, key=lambda item: (-(exact[item] - floors[item]), item))
    bumped, sign = set(order[:left_over]), 1 if change >= 0 else -1
    return {item: sign * Decimal(floors[item] + (item in bumped)) / 100 for item in exact}


def _expected_parts(home, wholes, item_days) -> dict[tuple, Decimal | None]:
    """(scope day, split kind, item) → part: each shop's split, then every scope that has a
    whole in kpi_drivers_daily sums its shops' parts of each item."""
    shops = {r["shop_id"]: r for r in _rows(home, "select * from marts.dim_shops")}
    rolled: dict[tuple, list] = defaultdict(list)
    for (scope_day, kind), change in wholes.items():
        period, comparison, scope_type, shop = scope_day
        if scope_type != "shop" or kind != "product" or change is None:
            continue
        before = period - timedelta(days=DAYS_BACK[comparison])
        for split_kind in ("creator", "product"):
            if wholes[(scope_day, split_kind)] is None:  # no split (content not published)
                continue
            now = item_days[(split_kind, shop, period)]
            then = item_days[(split_kind, shop, before)]
            moved = {i: now[i] - then[i] for i in set(now) | set(then) if now[i] or then[i]}
            if split_kind == "creator":
                parts = moved
            elif sum(moved.values()) == 0:  # no proportion to cut the change by
                parts = {i: Decimal(0) if change == 0 else None for i in moved}
            else:
                parts = _by_largest_remainders(change, {i: int(v * 100) for i, v in moved.items()})
            scopes = (
                ("shop", shop),
                ("market", shops[shop]["market"]),
                ("region", region_of_market().get(shops[shop]["market"], UNASSIGNED)),
                ("seller", "ALL"),
            )
            for (scope_type, scope_id), (item, part) in product(scopes, parts.items()):
                rolled[(period, comparison, scope_type, scope_id, split_kind, item)].append(part)
    return {
        key: None if None in parts else sum(parts, Decimal(0))
        for key, parts in rolled.items()
        if wholes[(key[:4], key[4])] is not None
    }


@pytest.fixture(scope="module")
def mart(loaded_warehouse) -> dict[tuple, dict]:
    home, *_ = loaded_warehouse
    return {tuple(row[k] for k in KEY): row for row in _rows(home, f"select * from {MART}")}


def test_each_split_adds_up_exactly_to_its_change(mart, wholes):
    totals: dict[tuple, Decimal | None] = defaultdict(Decimal)
    for key, row in mart.items():
        part, total = row["contribution_amount_reporting"], totals[(key[:4], key[4])]
        totals[(key[:4], key[4])] = None if part is None or total is None else total + part
    assert {kind for _, kind in totals} == {"creator", "product"}
    assert {scope_day[2] for scope_day, _ in totals} == {"shop", "market", "region", "seller"}
    unexplained = [
        (split, whole, totals.get(split))
        for split, whole in wholes.items()
        if whole is not None and totals.get(split, Decimal(0)) not in (whole, None)
    ]
    assert not unexplained, unexplained[:5]
    assert set(totals) <= {split for split, whole in wholes.items() if whole is not None}


def test_each_part_and_rank_equals_its_recomputation_from_videos_and_order_lines(
    loaded_warehouse, mart, wholes, item_days
):
    home, *_ = loaded_warehouse
    expected = _expected_parts(home, wholes, item_days)
    assert set(mart) == set(expected)
    differences = [
        (key, row["contribution_amount_reporting"], expected[key])
        for key, row in mart.items()
        if row["contribution_amount_reporting"] != expected[key]
    ]
    assert not differences, sorted(differences, key=str)[:5]
    splits: dict[tuple, list] = defaultdict(list)
    for key, part in expected.items():
        splits[key[:5]].append((key[5], part))
    for split, parts in splits.items():
        ranked = sorted(parts, key=lambda p: (p[1] is None, -abs(p[1] or 0), p[1] or 0, p[0]))
        shown = sorted(parts, key=lambda p: mart[(*split, p[0])]["rank_in_split"])
        assert shown == ranked, split


def test_the_warehouse_exercises_every_case_of_the_split(mart, wholes, item_days):
    """Falls and rises, products moving against each other, a shop's change of the other sign
    than its products' (exchange rate, vouchers: each part then against its product's own
    change) and creators selling for several shops all occur, so the recomputation above
    checks each of them."""
    signs: dict[tuple, set[int]] = defaultdict(set)
    shops_of: dict[tuple, int] = defaultdict(int)
    against = 0
    for key, row in mart.items():
        part = row["contribution_amount_reporting"]
        if key[2] == "shop" and key[4] == "product" and part:
            signs[key[:5]].add(1 if part > 0 else -1)
            before = key[0] - timedelta(days=DAYS_BACK[key[1]])
            own = (
                item_days[("product", key[3], key[0])][key[5]]
                - item_days[("product", key[3], before)][key[5]]
            )
            against += own * part < 0
        if key[2] == "shop" and key[4] == "creator":
            shops_of[(*key[:2], key[5])] += 1
    assert any(s == {1, -1} for s in signs.values()), "products moving against each other"
    changes = [w for (_, kind), w in wholes.items() if kind == "product" and w]
    assert min(changes) < 0 < max(changes)
    assert against > 0, "a part against its product's own change"
    assert max(shops_of.values()) > 1, "a creator selling for several shops is rolled up"
