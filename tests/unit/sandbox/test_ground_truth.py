"""Ground truth on a hand-built dataset, every number worked out by hand in the comments."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from sandbox.generator import (
    SHOPS,
    Buyer,
    Dataset,
    DatasetConfig,
    LineItem,
    Order,
    generate_dataset,
)
from sandbox.ground_truth import ShopDayTruth, local_date, order_gmv, shop_daily_truth

US = next(s for s in SHOPS if s.time_zone == "America/Los_Angeles")  # UTC-8 in January
TH = next(s for s in SHOPS if s.time_zone == "Asia/Bangkok")  # UTC+7
BUYER = Buyer(
    "7494000000000000001",
    "a.b@example.com",
    "Ann Bee",
    "(+1)2135550100",
    "1 Oak St, Los Angeles, CA 90001, United States",
    "US",
    "90001",
)


def ts(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def line(k: int, price: str, seller: str = "0", platform: str = "0", gift: bool = False):
    return LineItem(
        f"58{k:016d}",
        "1",
        "2",
        "Thing",
        "SKU",
        Decimal(price),
        Decimal(seller),
        Decimal(platform),
        is_gift=gift,
    )


# A: placed 23:50 local on Jan 9, paid 00:10 local on Jan 10, delivered Jan 14 local.
#    GMV = sub_total 18.50 (8.50 + 10.00 + gift 0) + platform discount 0.50 = 19.00; 2 units.
ORDER_A = Order(
    "570000000000000001",
    US,
    ts("2024-01-10T07:50:00"),
    (line(1, "10.00", "1.00", "0.50"), line(2, "10.00"), line(3, "0", gift=True)),
    BUYER,
    shipping_fee=Decimal("4.99"),
    tax=Decimal("1.50"),
    paid_time=ts("2024-01-10T08:10:00"),
    hold_release_time=ts("2024-01-10T09:00:00"),
    rts_time=ts("2024-01-11T08:00:00"),
    collection_time=ts("2024-01-11T20:00:00"),
    delivery_time=ts("2024-01-15T03:00:00"),
    completion_time=ts("2024-01-25T00:00:00"),
)
# B: placed and paid Jan 10 local (noon), cancelled after payment at 02:00 local Jan 11.
ORDER_B = Order(
    "570000000000000002",
    US,
    ts("2024-01-10T20:00:00"),
    (line(4, "25.00", "5.00"),),
    BUYER,
    paid_time=ts("2024-01-10T20:05:00"),
    hold_release_time=ts("2024-01-10T21:00:00"),
    cancel_time=ts("2024-01-11T10:00:00"),
    cancellation_initiator="BUYER",
    cancel_reason="Changed my mind",
)
# C: never paid, cancelled by the system the next local day.
ORDER_C = Order(
    "570000000000000003",
    US,
    ts("2024-01-10T18:00:00"),
    (line(5, "7.00"),),
    BUYER,
    cancel_time=ts("2024-01-11T18:00:00"),
    cancellation_initiator="SYSTEM",
)
# D: Bangkok shop, 17:30 UTC Jan 10 is 00:30 local on Jan 11; paid at once, no delivery yet.
ORDER_D = Order(
    "570000000000000004",
    TH,
    ts("2024-01-10T17:30:00"),
    (line(6, "300.00", "0", "30.00"),),
    BUYER,
    paid_time=ts("2024-01-10T17:31:00"),
)
# E: created after every as_of used below: invisible.
ORDER_E = Order("570000000000000005", US, ts("2024-02-01T00:00:00"), (line(7, "9.00"),), BUYER)

DATASET = Dataset(shops=[US, TH], orders=[ORDER_A, ORDER_B, ORDER_C, ORDER_D, ORDER_E])


# H: placed and paid at noon on Jan 5 in Los Angeles, before a window that starts on Jan 10
#    (00:00 UTC); delivered at noon on Jan 12, inside it, so an update-time load has it.
ORDER_H = Order(
    "570000000000000006",
    US,
    ts("2024-01-05T20:00:00"),
    (line(8, "12.00"),),
    BUYER,
    paid_time=ts("2024-01-05T20:05:00"),
    hold_release_time=ts("2024-01-05T21:00:00"),
    rts_time=ts("2024-01-06T20:00:00"),
    collection_time=ts("2024-01-07T20:00:00"),
    delivery_time=ts("2024-01-12T20:00:00"),
    completion_time=ts("2024-01-28T00:00:00"),
)


def test_order_gmv_adds_platform_discount_back_and_ignores_shipping_and_tax():
    assert order_gmv(ORDER_A) == Decimal("19.00")
    assert ORDER_A.units == 2


def test_truth_after_everything_settled():
    truth = shop_daily_truth(DATASET, ts("2024-01-20T00:00:00"))
    assert truth == {
        (US.shop_id, date(2024, 1, 9)): ShopDayTruth(orders_placed=1),
        (US.shop_id, date(2024, 1, 10)): ShopDayTruth(
            orders_placed=2,
            orders_paid=1,
            gmv_paid=Decimal("19.00"),
            units_paid=2,
            orders_placed_later_cancelled=2,  # both orders placed on the 10th were cancelled
        ),
        (US.shop_id, date(2024, 1, 11)): ShopDayTruth(orders_cancelled=2),
        (US.shop_id, date(2024, 1, 14)): ShopDayTruth(
            orders_delivered=1, gmv_delivered=Decimal("19.00")
        ),
        (TH.shop_id, date(2024, 1, 11)): ShopDayTruth(
            orders_placed=1, orders_paid=1, gmv_paid=Decimal("300.00"), units_paid=1
        ),
    }


def test_shop_days_start_on_the_windows_first_day_and_history_events_inside_it_count():
    """Window from Jan 10: H's delivery on Jan 12 counts, but Jan 5 (its placement and payment)
    is no shop day, nor is Jan 9 in Los Angeles (A, placed 07:50 UTC on Jan 10): a day before the
    first loaded day holds only the orders that changed later (docs/kpi_management.md, §9)."""
    windowed = Dataset(
        shops=[US, TH],
        orders=[ORDER_A, ORDER_B, ORDER_C, ORDER_D],
        config=DatasetConfig(seed=0, start_date=date(2024, 1, 10), end_date=date(2024, 1, 20)),
        history_orders=[ORDER_H],
    )
    truth = shop_daily_truth(windowed, ts("2024-01-20T00:00:00"))
    assert truth == {
        (US.shop_id, date(2024, 1, 10)): ShopDayTruth(
            orders_placed=2,
            orders_paid=1,
            gmv_paid=Decimal("19.00"),
            units_paid=2,
            orders_placed_later_cancelled=2,
        ),
        (US.shop_id, date(2024, 1, 11)): ShopDayTruth(orders_cancelled=2),
        (US.shop_id, date(2024, 1, 12)): ShopDayTruth(
            orders_delivered=1, gmv_delivered=Decimal("12.00")
        ),
        (US.shop_id, date(2024, 1, 14)): ShopDayTruth(
            orders_delivered=1, gmv_delivered=Decimal("19.00")
        ),
        (TH.shop_id, date(2024, 1, 11)): ShopDayTruth(
            orders_placed=1, orders_paid=1, gmv_paid=Decimal("300.00"), units_paid=1
        ),
    }


def test_cancelled_after_payment_counts_as_paid_only_until_the_cancellation():
    before = shop_daily_truth(DATASET, ts("2024-01-11T09:59:59"))
    after = shop_daily_truth(DATASET, ts("2024-01-11T10:00:00"))
    jan10 = (US.shop_id, date(2024, 1, 10))
    assert before[jan10].orders_paid == 2
    assert before[jan10].gmv_paid == Decimal("39.00")  # 19.00 + 20.00
    assert after[jan10].orders_paid == 1
    assert after[jan10].gmv_paid == Decimal("19.00")
    assert after[(US.shop_id, date(2024, 1, 11))].orders_cancelled == 1  # C is not yet


def test_local_midnight_decides_the_day_not_utc():
    truth = shop_daily_truth(DATASET, ts("2024-01-10T17:30:00"))
    assert truth[(TH.shop_id, date(2024, 1, 11))].orders_placed == 1
    assert (TH.shop_id, date(2024, 1, 10)) not in truth
    # A is placed on Jan 9 local although it is Jan 10 in UTC; paid on Jan 10 local.
    assert truth[(US.shop_id, date(2024, 1, 9))] == ShopDayTruth(orders_placed=1)


def test_delivery_counts_only_once_visible():
    before = shop_daily_truth(DATASET, ts("2024-01-15T02:59:59"))
    assert all(t.orders_delivered == 0 for t in before.values())


def test_events_after_as_of_are_invisible():
    truth = shop_daily_truth(DATASET, ts("2024-01-10T07:59:59"))
    assert truth == {(US.shop_id, date(2024, 1, 9)): ShopDayTruth(orders_placed=1)}


@pytest.mark.parametrize("as_of", ["2024-03-05T12:00:00", "2024-04-30T00:00:00"])
def test_generated_truth_adds_up_to_the_orders(as_of):
    ds = generate_dataset(
        DatasetConfig(
            seed=3, start_date=date(2024, 3, 1), end_date=date(2024, 3, 7), orders_per_shop_day=15
        )
    )
    clock = ts(as_of)
    truth = shop_daily_truth(ds, clock)
    visible = [o for o in ds.orders if o.create_time <= clock]
    # West of UTC the window's first hours fall on 29 February, a day before the loaded history.
    placed = [o for o in visible if local_date(o.shop, o.create_time) >= date(2024, 3, 1)]
    assert 0 < len(placed) < len(visible)
    assert sum(t.orders_placed for t in truth.values()) == len(placed)
    paid = [
        o
        for o in visible
        if o.state_at(clock).status != "CANCELLED"
        and "paid_time" in o.state_at(clock).times
        and local_date(o.shop, o.state_at(clock).times["paid_time"]) >= date(2024, 3, 1)
    ]
    assert sum(t.orders_paid for t in truth.values()) == len(paid)
    assert sum(t.gmv_paid for t in truth.values()) == sum(order_gmv(o) for o in paid)
    assert all(t != ShopDayTruth() for t in truth.values())
