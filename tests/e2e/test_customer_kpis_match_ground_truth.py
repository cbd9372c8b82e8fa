"""kpi_customers against cohorts rebuilt in plain Python from the sandbox's orders.

Buyers are the generator's buyers (`order.buyer.user_id`, a pool per shop, so buyers repeat);
an order counts when it is paid and not cancelled by the data clock; refunds are the after-sales
requests refunded by then, charged to their order; creator attribution and commission come from
sandbox/content.py. Days come from zoneinfo, money from Decimal: nothing here repeats the SQL.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import duckdb
import pytest

from sandbox.content import affiliate_orders_truth
from sandbox.generator import CANCELLED
from sandbox.ground_truth import (
    in_loaded_history,
    loaded_from,
    loaded_orders,
    loaded_returns,
    order_gmv,
)

pytestmark = pytest.mark.e2e

CENT = Decimal("0.01")


@dataclass
class BuyerTruth:
    first_paid_time: int
    first_order_id: str
    first_day: date
    orders: list[tuple[date, Decimal]] = field(default_factory=list)  # (paid day, net GMV)


@dataclass
class CohortTruth:
    new_buyers: int = 0
    repeat_buyers: int = 0
    repeat_buyers_30d: int = 0
    net_gmv_30d: Decimal = Decimal(0)
    commission: Decimal = Decimal(0)


def mart_rows(home, sql: str, database: str = "serving/serving.duckdb") -> list[dict]:
    connection = duckdb.connect(str(home / database), read_only=True)
    try:
        cursor = connection.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        connection.close()


def day_of(time_zone: str, unix_seconds: int) -> date:
    return datetime.fromtimestamp(unix_seconds, ZoneInfo(time_zone)).date()


def month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def buyer_truth(sandbox) -> tuple[dict[tuple[str, str], BuyerTruth], int]:
    """Every buyer of the loaded orders keyed (shop, buyer), first paid order first, and the
    newest change landed (the data's watermark)."""
    as_of = sandbox.as_of()
    orders = loaded_orders(sandbox.dataset, as_of)
    states = {o.order_id: o.state_at(as_of) for o in orders}
    watermark = max(s.update_time for s in states.values() if s is not None)
    refunds: dict[str, Decimal] = defaultdict(Decimal)
    for request in loaded_returns(sandbox.api.after_sales, as_of, loaded_from(sandbox.dataset)):
        if request.refund_time is not None and request.refund_time <= as_of:
            refunds[request.order.order_id] += request.refund_subtotal
    buyers: dict[tuple[str, str], BuyerTruth] = {}
    paid = [
        (o, s.times["paid_time"])
        for o in orders
        if (s := states[o.order_id]) is not None
        and "paid_time" in s.times
        and s.status != CANCELLED
    ]
    for order, paid_time in sorted(paid, key=lambda p: (p[1], p[0].order_id)):
        day = day_of(order.shop.time_zone, paid_time)
        key = (order.shop.shop_id, order.buyer.user_id)
        buyer = buyers.setdefault(key, BuyerTruth(paid_time, order.order_id, day))
        buyer.orders.append((day, order_gmv(order) - refunds[order.order_id]))
    return buyers, watermark


def cohort_truth(
    sandbox, buyers: dict[tuple[str, str], BuyerTruth], watermark: int
) -> tuple[dict[tuple[str, date, str, str], CohortTruth], dict[str, date]]:
    """Cohorts keyed (shop, cohort month, level, segment) and each shop's data-through day.
    Only whole loaded months are cohorts: a month whose first day is a shop day of the
    warehouse (`in_loaded_history`); buyers first seen earlier are no month's new buyers."""
    affiliate = affiliate_orders_truth(sandbox.content, sandbox.as_of())
    cohorts: dict[tuple[str, date, str, str], CohortTruth] = defaultdict(CohortTruth)
    for (shop_id, _), buyer in buyers.items():
        if not in_loaded_history(sandbox.dataset, buyer.first_day.replace(day=1)):
            continue
        attribution = affiliate.get(buyer.first_order_id)
        segments = [("shop", "all"), ("channel", "affiliate" if attribution else "organic_unknown")]
        if attribution:
            segments.append(("creator", attribution.creator_id))
        within_30 = [(d, gmv) for d, gmv in buyer.orders if (d - buyer.first_day).days < 30]
        for level, segment in segments:
            cohort = cohorts[(shop_id, buyer.first_day.replace(day=1), level, segment)]
            cohort.new_buyers += 1
            cohort.repeat_buyers += len(buyer.orders) > 1
            cohort.repeat_buyers_30d += len(within_30) > 1
            cohort.net_gmv_30d += sum((gmv for _, gmv in within_30), Decimal(0))
            if attribution:
                cohort.commission += attribution.commission_amount
    through = {s.shop_id: day_of(s.time_zone, watermark) for s in sandbox.dataset.shops}
    return dict(cohorts), through


@pytest.fixture(scope="module")
def buyers_and_watermark(loaded_warehouse):
    return buyer_truth(loaded_warehouse[1])


@pytest.fixture(scope="module")
def truth_and_rows(loaded_warehouse, buyers_and_watermark):
    home, sandbox, _, _ = loaded_warehouse
    rows = mart_rows(home, "select * from marts.kpi_customers")
    return cohort_truth(sandbox, *buyers_and_watermark), rows


def test_every_cohort_segment_has_a_row_with_its_buyers_and_repeat_counts(
    loaded_warehouse, truth_and_rows
):
    """Cohorts are per shop (kpi_customers, KPI new_buyers): a person who buys in both shops of
    a market is a new buyer of each, and their orders in one shop never make them a repeat
    buyer of the other — the generator's market buyers buy in both shops of US, GB and ID."""
    (cohorts, _), rows = truth_and_rows
    shops_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    sandbox = loaded_warehouse[1]
    for order in loaded_orders(sandbox.dataset, sandbox.as_of()):
        shops_of[(order.shop.region, order.buyer.user_id)].add(order.shop.shop_id)
    assert any(len(shops) > 1 for shops in shops_of.values())
    with_buyers = {
        (r["shop_id"], r["cohort_month"], r["level"], r["segment"]): r
        for r in rows
        if r["new_buyers"] > 0
    }
    assert cohorts and set(with_buyers) == set(cohorts)
    assert {level for _, _, level, _ in cohorts} == {"shop", "channel", "creator"}
    for key, truth in cohorts.items():
        row = with_buyers[key]
        got = (row["new_buyers"], row["repeat_buyers"], row["repeat_buyers_30d"])
        assert got == (truth.new_buyers, truth.repeat_buyers, truth.repeat_buyers_30d), key
        rate = Decimal(truth.repeat_buyers) / truth.new_buyers
        assert abs(row["repeat_purchase_rate"] - rate) < Decimal("0.000001"), key


def test_cohorts_start_at_the_first_whole_loaded_month_and_earlier_buyers_stay_buyers(
    loaded_warehouse, buyers_and_watermark, truth_and_rows
):
    """The history from 1 November makes October no cohort month: only the October buyers
    whose orders changed in November reach it, and only its loaded days' ads spend. No row
    (not even a shop row of ads spend) has a month starting before the first loaded day of its
    shop's calendar. Those buyers stay buyers, per shop and month as the truth has them, and
    their November orders are repeats: the new-buyer counts of the months kept match the
    truth, which counts no one first seen before a month (previous test)."""
    home, sandbox, *_ = loaded_warehouse
    dataset = sandbox.dataset
    buyers, _ = buyers_and_watermark
    (cohorts, _), rows = truth_and_rows
    assert cohorts and rows
    months = {(r["shop_id"], r["cohort_month"]) for r in rows}
    assert {key for key in months if not in_loaded_history(dataset, key[1])} == set()
    earlier = {
        key: buyer
        for key, buyer in buyers.items()
        if not in_loaded_history(dataset, buyer.first_day.replace(day=1))
    }
    assert any(in_loaded_history(dataset, day) for b in earlier.values() for day, _ in b.orders[1:])
    known = mart_rows(
        home,
        "select shop_id, cohort_month, count(*) as buyers "
        "from intermediate.int_customer_first_orders group by all",
        "warehouse.duckdb",
    )
    first_months = Counter((shop, b.first_day.replace(day=1)) for (shop, _), b in earlier.items())
    assert first_months
    assert {
        (r["shop_id"], r["cohort_month"]): r["buyers"]
        for r in known
        if not in_loaded_history(dataset, r["cohort_month"])
    } == dict(first_months)


def test_net_gmv_ltv_30d_and_window_flags(truth_and_rows):
    (cohorts, through), rows = truth_and_rows
    by_key = {(r["shop_id"], r["cohort_month"], r["level"], r["segment"]): r for r in rows}
    for key, truth in cohorts.items():
        row = by_key[key]
        shop_id, month = key[0], key[1]
        assert row["net_gmv_30d_amount"] == truth.net_gmv_30d.quantize(CENT), key
        complete = month_end(month) + timedelta(days=30) <= through[shop_id]
        assert row["is_window_complete_30d"] is complete, key
        if complete:
            ltv = (truth.net_gmv_30d / truth.new_buyers).quantize(CENT, ROUND_HALF_UP)
            assert abs(row["ltv_30d_amount"] - ltv) <= CENT, key
            assert row["repeat_purchase_30d_rate"] is not None, key
        else:
            assert row["ltv_30d_amount"] is None and row["repeat_purchase_30d_rate"] is None, key
            assert row["ltv_30d_to_cac"] is None, key


def test_creator_commission_of_first_orders_feeds_cac(truth_and_rows):
    (cohorts, _), rows = truth_and_rows
    by_key = {(r["shop_id"], r["cohort_month"], r["level"], r["segment"]): r for r in rows}
    assert any(t.commission > 0 for t in cohorts.values())
    for key, truth in cohorts.items():
        row = by_key[key]
        assert row["creator_commission_amount"] == truth.commission.quantize(CENT), key
        cost = row["creator_commission_amount"] + row["ads_spend_amount"]
        assert row["acquisition_cost_amount"] == cost, key
        cac = (cost / truth.new_buyers).quantize(CENT, ROUND_HALF_UP)
        assert abs(row["cac_amount"] - cac) <= CENT, key
        if key[2] != "shop" and key[3] != "organic_unknown":
            assert row["ads_spend_amount"] == 0, key
