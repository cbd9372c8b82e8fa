"""kpi_drivers_items_daily and _weekly on the shared e2e warehouse: each scope period's creators
add up exactly to its video channel's change, its hosts to its LIVE channel's change and its
products to its GMV change (kpi_drivers_daily / _weekly), and every part and rank equals its
recomputation here in plain Python — a creator's part from fct_videos_daily's rows, a host's
from the generator's LIVE sessions (converted at the published rates, session by session), a
product's by largest remainders (with fractions) over fct_order_lines' line GMV in the shop's
currency; summed over the ISO week's days for the weekly mart, rolled up to markets, regions
and the seller."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import product

import pytest

from sandbox.content import live_sessions_truth
from sandbox.ground_truth import local_date
from tests.e2e.configured_regions import UNASSIGNED, region_of_market
from tests.e2e.fx_truth import PublishedRates
from tests.e2e.test_kpi_drivers_explain_every_change import COMPARISONS, _rows, _week

pytestmark = pytest.mark.e2e

KEY = ("period_start", "comparison", "scope_type", "scope_id", "split_kind", "item_id")
# items mart → the drivers mart its splits add up to, and the period of a shop-local day
MARTS = {
    "kpi_drivers_items_daily": ("kpi_drivers_daily", lambda day: day),
    "kpi_drivers_items_weekly": ("kpi_drivers_weekly", _week),
}
# split kind → the kpi_drivers_* column its parts add up to
WHOLES = {"creator": "video_contribution", "host": "live_contribution", "product": "change"}
ScopePeriod = tuple[date, str, str, str]  # (period_start, comparison, scope_type, scope_id)


@pytest.fixture(scope="module", params=sorted(MARTS))
def items_mart(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def wholes(loaded_warehouse, items_mart) -> dict[tuple[ScopePeriod, str], Decimal | None]:
    """(scope period, split kind) → what its parts must add up to, from kpi_drivers_*."""
    home, *_ = loaded_warehouse
    rows = _rows(
        home,
        f"select period_start, comparison, scope_type, scope_id, {', '.join(WHOLES.values())} "
        f"from marts.{MARTS[items_mart][0]} where metric = 'gmv'",
    )
    wholes = {}
    for row in rows:
        scope_period = (row["period_start"], row["comparison"], row["scope_type"], row["scope_id"])
        for kind, column in WHOLES.items():
            wholes[(scope_period, kind)] = row[column]
    return wholes


@pytest.fixture(scope="module")
def item_days(loaded_warehouse) -> dict[tuple[str, str, date], dict[str, Decimal]]:
    """(split kind, shop, day) → item → GMV: creators' video GMV and hosts' LIVE GMV (reporting
    currency) and products' paid line GMV (shop currency), on the days kpi_shop_daily has."""
    home, sandbox, *_ = loaded_warehouse
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
    rates = PublishedRates(sandbox)
    for stats in live_sessions_truth(sandbox.content, sandbox.as_of()).values():
        session, shop = stats.session, sandbox.content.shop(stats.session.shop_id)
        day = local_date(shop, session.start_time)
        if (session.shop_id, day) in days:
            bucket = values[("host", session.shop_id, day)]
            gmv = rates.in_reporting_currency(stats.gmv, day, shop.currency)
            host = session.host_username
            bucket[host] = None if gmv is None or bucket[host] is None else bucket[host] + gmv
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


@pytest.fixture(scope="module")
def item_periods(items_mart, item_days) -> dict[tuple[str, str, date], dict[str, Decimal]]:
    """item_days summed over each period of the mart (a day, or the ISO week of its days)."""
    period_of = MARTS[items_mart][1]
    values: dict[tuple[str, str, date], dict[str, Decimal]] = defaultdict(
        lambda: defaultdict(Decimal)
    )
    for (kind, shop, day), items in item_days.items():
        bucket = values[(kind, shop, period_of(day))]
        for item, gmv in items.items():
            bucket[item] = None if gmv is None or bucket[item] is None else bucket[item] + gmv
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


def _expected_parts(home, items_mart, wholes, item_periods) -> dict[tuple, Decimal | None]:
    """(scope period, split kind, item) → part: each shop's split, then every scope that has a
    whole in kpi_drivers_* sums its shops' parts of each item."""
    days_back = COMPARISONS[MARTS[items_mart][0]]
    shops = {r["shop_id"]: r for r in _rows(home, "select * from marts.dim_shops")}
    region_of = region_of_market()  # read once: parsing the YAML per split took ~45 s
    rolled: dict[tuple, list] = defaultdict(list)
    for (scope_period, kind), change in wholes.items():
        period, comparison, scope_type, shop = scope_period
        if scope_type != "shop" or kind != "product" or change is None:
            continue
        before = period - timedelta(days=days_back[comparison])
        for split_kind in WHOLES:
            if wholes[(scope_period, split_kind)] is None:  # no split (content not published)
                continue
            now = item_periods[(split_kind, shop, period)]
            then = item_periods[(split_kind, shop, before)]
            moved = {i: now[i] - then[i] for i in set(now) | set(then) if now[i] or then[i]}
            if split_kind != "product":  # creators, hosts: exact sums
                parts = moved
            elif sum(moved.values()) == 0:  # no proportion to cut the change by
                parts = {i: Decimal(0) if change == 0 else None for i in moved}
            else:
                parts = _by_largest_remainders(change, {i: int(v * 100) for i, v in moved.items()})
            scopes = (
                ("shop", shop),
                ("market", shops[shop]["market"]),
                ("region", region_of.get(shops[shop]["market"], UNASSIGNED)),
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
def mart(loaded_warehouse, items_mart) -> dict[tuple, dict]:
    home, *_ = loaded_warehouse
    rows = _rows(home, f"select * from marts.{items_mart}")
    return {tuple(row[k] for k in KEY): row for row in rows}


def test_each_split_adds_up_exactly_to_its_change(mart, wholes):
    totals: dict[tuple, Decimal | None] = defaultdict(Decimal)
    for key, row in mart.items():
        part, total = row["contribution_amount_reporting"], totals[(key[:4], key[4])]
        totals[(key[:4], key[4])] = None if part is None or total is None else total + part
    assert {kind for _, kind in totals} == set(WHOLES)
    assert {scope_day[2] for scope_day, _ in totals} == {"shop", "market", "region", "seller"}
    unexplained = [
        (split, whole, totals.get(split))
        for split, whole in wholes.items()
        if whole is not None and totals.get(split, Decimal(0)) not in (whole, None)
    ]
    assert not unexplained, unexplained[:5]
    assert set(totals) <= {split for split, whole in wholes.items() if whole is not None}


def test_each_part_and_rank_equals_its_recomputation_from_videos_sessions_and_order_lines(
    loaded_warehouse, items_mart, mart, wholes, item_periods
):
    home, *_ = loaded_warehouse
    expected = _expected_parts(home, items_mart, wholes, item_periods)
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


def test_the_warehouse_exercises_every_case_of_the_split(items_mart, mart, wholes, item_periods):
    """Falls and rises, products moving against each other, a shop's change of the other sign
    than its products' (exchange rate, vouchers: each part then against its product's own
    change), creators selling for several shops and hosts' LIVE GMV rising and falling all
    occur, so the recomputation above checks each of them (for the weekly mart: every one but
    a part against its product's own change, which its two weeks of comparisons lack)."""
    days_back = COMPARISONS[MARTS[items_mart][0]]
    signs: dict[tuple, set[int]] = defaultdict(set)
    shops_of: dict[tuple, int] = defaultdict(int)
    against, host_signs = 0, set()
    for key, row in mart.items():
        part = row["contribution_amount_reporting"]
        if key[2] == "shop" and key[4] == "product" and part:
            signs[key[:5]].add(1 if part > 0 else -1)
            before = key[0] - timedelta(days=days_back[key[1]])
            own = (
                item_periods[("product", key[3], key[0])][key[5]]
                - item_periods[("product", key[3], before)][key[5]]
            )
            against += own * part < 0
        if key[2] == "shop" and key[4] == "creator":
            shops_of[(*key[:2], key[5])] += 1
        if key[4] == "host" and part:
            host_signs.add(1 if part > 0 else -1)
    assert any(s == {1, -1} for s in signs.values()), "products moving against each other"
    changes = [w for (_, kind), w in wholes.items() if kind == "product" and w]
    assert min(changes) < 0 < max(changes)
    weekly = items_mart == "kpi_drivers_items_weekly"
    assert against > 0 or weekly, "a part against its product's own change"
    assert max(shops_of.values()) > 1, "a creator selling for several shops is rolled up"
    assert host_signs == {1, -1}, "hosts' LIVE GMV rises and falls"
