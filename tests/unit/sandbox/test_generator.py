"""The seeded world: determinism, money arithmetic and what the API shows as of a moment."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from sandbox.generator import (
    CANCELLED,
    CANCELLED_AFTER_SHIPMENT,
    COD_REFUSED,
    DELIVERY_FAILED,
    DatasetConfig,
    Order,
    generate_dataset,
)

START, END = date(2024, 3, 1), date(2024, 3, 14)
TIME_FIELDS = ("paid_time", "rts_time", "collection_time", "delivery_time", "cancel_time")
FAR_FUTURE = 2**40


@pytest.fixture(scope="module")
def dataset():
    return generate_dataset(DatasetConfig(seed=7, start_date=START, end_date=END))


def _utc_day(order: Order) -> date:
    return datetime.fromtimestamp(order.create_time, UTC).date()


def test_same_config_gives_identical_orders(dataset):
    again = generate_dataset(DatasetConfig(seed=7, start_date=START, end_date=END))
    assert again.orders == dataset.orders
    assert [o.api_view(FAR_FUTURE) for o in again.orders[:200]] == [
        o.api_view(FAR_FUTURE) for o in dataset.orders[:200]
    ]


def test_another_seed_gives_other_orders(dataset):
    other = generate_dataset(DatasetConfig(seed=8, start_date=START, end_date=START))
    assert {o.order_id for o in other.orders}.isdisjoint({o.order_id for o in dataset.orders})


def test_overlapping_windows_agree_day_by_day(dataset):
    later = generate_dataset(
        DatasetConfig(seed=7, start_date=date(2024, 3, 10), end_date=date(2024, 3, 20))
    )
    for day in (date(2024, 3, 10), date(2024, 3, 14)):
        mine = {o.order_id: o for o in dataset.orders if _utc_day(o) == day and _ordinary(o)}
        theirs = {o.order_id: o for o in later.orders if _utc_day(o) == day and _ordinary(o)}
        # Stock depends on the window (opening stock, restocks, when the viral spike comes),
        # so an order one window's stock-out removed may happen in the other; every
        # ordinary order both have is identical.
        common = mine.keys() & theirs.keys()
        assert len(common) >= 0.8 * max(len(mine), len(theirs)) > 0
        assert all(mine[i] == theirs[i] for i in common)


def _ordinary(order) -> bool:
    """Not a viral-spike order (those use sequence numbers 9000+ of their day)."""
    return int(order.order_id[8:12]) < 9000


def test_orders_stay_inside_the_utc_window(dataset):
    assert {_utc_day(o) for o in dataset.orders} == {
        date(2024, 3, d) for d in range(START.day, END.day + 1)
    }


def test_world_has_five_shops_and_three_currencies(dataset):
    shops = dataset.shops
    assert len(shops) >= 5
    assert len({s.currency for s in shops}) >= 3
    assert len({s.shop_id for s in shops}) == len(shops)
    assert all(s.shop_id.isdigit() and len(s.shop_id) == 19 for s in shops)
    assert all(s.cipher.startswith(("ROW_", "GCP_")) for s in shops)
    assert {s.seller_type for s in shops} == {"CROSS_BORDER", "LOCAL"}
    assert sum(s.region == "US" for s in shops) == 2
    for shop in shops:
        ZoneInfo(shop.time_zone)  # a real zone name


def test_order_counts_vary_around_the_configured_mean(dataset):
    per_shop_day = Counter((o.shop.shop_id, _utc_day(o)) for o in dataset.orders)
    counts = list(per_shop_day.values())
    assert len(set(counts)) > 10
    assert 25 <= sum(counts) / len(counts) <= 55


def test_order_and_line_ids_are_unique_numeric_strings(dataset):
    ids = [o.order_id for o in dataset.orders]
    assert len(set(ids)) == len(ids)
    assert all(i.isdigit() and len(i) == 18 for i in ids)
    line_ids = [li.id for o in dataset.orders for li in o.line_items]
    assert len(set(line_ids)) == len(line_ids)


def test_catalogue_has_ten_to_thirty_skus_per_shop(dataset):
    for shop in dataset.shops:
        sellable = [s for s in dataset.catalogues[shop.shop_id] if not s.is_gift]
        assert 10 <= len(sellable) <= 30


def test_money_is_consistent_in_every_view(dataset):
    for order in dataset.orders:
        view = order.api_view(FAR_FUTURE)
        pay = {k: Decimal(v) for k, v in view["payment"].items() if k != "currency"}
        lines = view["line_items"]
        assert 1 <= len([li for li in lines if not li["is_gift"]]) <= 4
        for li in lines:
            sale, orig = Decimal(li["sale_price"]), Decimal(li["original_price"])
            sd, pd = Decimal(li["seller_discount"]), Decimal(li["platform_discount"])
            assert sale == orig - sd - pd >= 0
            if li["is_gift"]:
                assert orig == sale == 0
        vouchers = order.seller_voucher + order.platform_voucher  # order-level, on no line
        assert pay["sub_total"] == sum(Decimal(li["sale_price"]) for li in lines) - vouchers
        assert pay["original_total_product_price"] == sum(
            Decimal(li["original_price"]) for li in lines
        )
        assert pay["seller_discount"] == order.seller_voucher + sum(
            Decimal(li["seller_discount"]) for li in lines
        )
        assert pay["platform_discount"] == order.platform_voucher + sum(
            Decimal(li["platform_discount"]) for li in lines
        )
        assert pay["total_amount"] == pay["sub_total"] + pay["shipping_fee"] + pay["tax"]
        assert pay["original_shipping_fee"] >= pay["shipping_fee"]


def test_money_strings_follow_the_currency(dataset):
    for order in dataset.orders[::7]:
        payment = order.api_view(FAR_FUTURE)["payment"]
        for name, value in payment.items():
            if name == "currency":
                continue
            step = {"IDR": 100, "VND": 1000}.get(payment["currency"])
            if step:
                assert value.isdigit() and int(value) % step == 0, value
            else:
                assert value.split(".")[1].__len__() == 2, value


def test_the_world_spans_at_least_12_shops_in_6_markets_and_their_currencies(dataset):
    markets = {shop.region for shop in dataset.shops}
    assert len(dataset.shops) >= 12 and len(markets) >= 6
    assert {shop.currency for shop in dataset.shops} >= {"USD", "GBP", "IDR", "VND", "MXN"}
    assert {order.shop.region for order in dataset.orders} == markets


def test_life_cycle_mix_is_realistic(dataset):
    n = len(dataset.orders)
    never_paid = sum(o.paid_time is None for o in dataset.orders)
    paid_cancelled = sum(
        o.paid_time is not None and o.cancel_time is not None and o.rts_time is None
        for o in dataset.orders
    )
    gifts = sum(any(li.is_gift for li in o.line_items) for o in dataset.orders)
    assert 0.05 < never_paid / n < 0.11
    assert 0.03 < paid_cancelled / n < 0.08
    assert 0.01 < gifts / n < 0.06
    assert {o.cancellation_initiator for o in dataset.orders if o.cancel_time} == {
        "SYSTEM",
        "BUYER",
        "SELLER",
    }


def test_repeat_buyers_exist_within_a_shop(dataset):
    buyers = Counter((o.shop.shop_id, o.buyer.user_id) for o in dataset.orders)
    assert max(buyers.values()) > 1


def test_some_buyers_buy_in_two_shops_of_a_market_and_none_across_markets(dataset):
    """The same person (user id) in both shops of US, GB and ID, never in two markets: per-shop
    and per-market buyer counts must differ for the marts' definitions to be tested."""
    shops: dict[str, set[str]] = {}
    markets: dict[str, set[str]] = {}
    for order in dataset.orders:
        shops.setdefault(order.buyer.user_id, set()).add(order.shop.shop_id)
        markets.setdefault(order.buyer.user_id, set()).add(order.shop.region)
    markets_shared = {
        region for user, ids in shops.items() if len(ids) > 1 for region in markets[user]
    }
    assert markets_shared == {"US", "GB", "ID"}
    assert all(len(regions) == 1 for regions in markets.values())


def _share_on_another_local_date(orders: list[Order], time_zone: str) -> float:
    tz = ZoneInfo(time_zone)
    differs = sum(datetime.fromtimestamp(o.create_time, tz).date() != _utc_day(o) for o in orders)
    return differs / len(orders)


def test_many_orders_fall_on_another_local_date_than_their_utc_date(dataset):
    for shop in dataset.shops:
        if shop.time_zone == "Europe/London":  # on UTC in March; see the summer test below
            continue
        share = _share_on_another_local_date(dataset.orders_for_shop(shop.shop_id), shop.time_zone)
        assert share > 0.1, shop.name


def test_london_orders_cross_local_midnight_in_summer_time():
    summer = generate_dataset(
        DatasetConfig(seed=7, start_date=date(2024, 7, 1), end_date=date(2024, 7, 7))
    )
    shop = next(s for s in summer.shops if s.time_zone == "Europe/London")
    assert _share_on_another_local_date(summer.orders_for_shop(shop.shop_id), shop.time_zone) > 0.02


def test_status_moves_between_two_clocks(dataset):
    order = next(o for o in dataset.orders if o.delivery_time and o.shop.region == "GB")
    before = order.api_view(order.rts_time - 1)
    after = order.api_view(order.delivery_time)
    assert before["status"] == "AWAITING_SHIPMENT"
    assert after["status"] == "DELIVERED"
    assert before["update_time"] == order.paid_time
    assert after["update_time"] == order.delivery_time
    assert order.api_view(order.completion_time)["status"] == "COMPLETED"
    assert order.api_view(order.create_time - 1) is None


def test_time_fields_are_absent_until_the_event_happens(dataset):
    order = next(o for o in dataset.orders if o.delivery_time)
    at_create = order.api_view(order.create_time)
    assert at_create["status"] == "UNPAID"
    assert not any(f in at_create for f in TIME_FIELDS)
    assert "tracking_number" not in at_create
    in_transit = order.api_view(order.collection_time)
    assert {f for f in TIME_FIELDS if f in in_transit} == {
        "paid_time",
        "rts_time",
        "collection_time",
    }
    completed = order.api_view(FAR_FUTURE)
    assert completed["status"] == "COMPLETED"
    assert completed["update_time"] == order.completion_time
    assert "completed_time" not in completed and "cancel_time" not in completed


def test_address_is_absent_while_unpaid_or_on_hold(dataset):
    order = next(o for o in dataset.orders if o.shop.region == "US" and o.rts_time)
    assert order.hold_release_time is not None
    unpaid = order.api_view(order.create_time)
    on_hold = order.api_view(order.paid_time)
    released = order.api_view(order.hold_release_time)
    assert (unpaid["status"], on_hold["status"], released["status"]) == (
        "UNPAID",
        "ON_HOLD",
        "AWAITING_SHIPMENT",
    )
    assert "recipient_address" not in unpaid and "recipient_address" not in on_hold
    assert released["recipient_address"]["name"] == order.buyer.name


def test_cancelled_order_shows_reason_and_initiator(dataset):
    order = next(o for o in dataset.orders if o.cancel_time and o.paid_time and not o.rts_time)
    view = order.api_view(FAR_FUTURE)
    assert view["status"] == CANCELLED
    assert view["cancel_time"] == view["update_time"] == order.cancel_time
    assert view["cancellation_initiator"] in ("BUYER", "SELLER")
    assert all(li["display_status"] == CANCELLED for li in view["line_items"])
    assert "rts_time" not in view and "delivery_time" not in view


def test_failures_after_shipment_keep_their_shipment_and_never_deliver(dataset):
    """South-East Asian shops only: refused COD parcels, failed deliveries sent back and
    cancellations before collection are CANCELLED with `rts_time` and no `delivery_time`."""
    failed = [o for o in dataset.orders if o.cancel_time and o.rts_time]
    assert {o.cancel_reason for o in failed} == {
        COD_REFUSED,
        DELIVERY_FAILED,
        CANCELLED_AFTER_SHIPMENT,
    }
    assert {o.shop.region for o in failed} <= {"ID", "TH", "MY", "PH", "VN", "SG"}
    for order in failed:
        view = order.api_view(FAR_FUTURE)
        assert view["status"] == CANCELLED and "rts_time" in view and "delivery_time" not in view
        assert order.is_cod or order.cancel_reason != COD_REFUSED
    partial = next(o for o in dataset.orders if o.partial_ship_time)
    assert partial.api_view(partial.partial_ship_time)["status"] == "PARTIALLY_SHIPPING"
    assert partial.api_view(partial.rts_time)["status"] == "AWAITING_COLLECTION"


def test_touch_moves_update_time_but_not_status(dataset):
    order = next(o for o in dataset.orders if o.touch_time)
    before, after = order.api_view(order.touch_time - 1), order.api_view(order.touch_time)
    assert before["status"] == after["status"] == "AWAITING_COLLECTION"
    assert after["update_time"] == order.touch_time > before["update_time"]
    assert after["tracking_number"] != before["tracking_number"]


def test_pii_values_cover_every_buyer_field_shown(dataset):
    pii = dataset.pii_values()
    for order in dataset.orders[::11]:
        view = order.api_view(FAR_FUTURE)
        assert {view["buyer_email"], view["user_id"]} <= pii
        address = view.get("recipient_address")
        if address:
            assert {address["name"], address["phone_number"], address["full_address"]} <= pii
    assert all("@example.com" in v for v in pii if "@" in v)


def test_double_11_is_the_peak_of_its_month():
    november = generate_dataset(
        DatasetConfig(seed=7, start_date=date(2026, 11, 1), end_date=date(2026, 11, 30))
    )
    per_day = Counter(_utc_day(o) for o in november.orders)
    peak = per_day[date(2026, 11, 11)]
    usual = sorted(per_day.values())[len(per_day) // 2]
    assert per_day.most_common(1)[0][0] == date(2026, 11, 11)
    assert peak > 2.2 * usual
    assert per_day[date(2026, 11, 10)] > usual  # the pre-sale day


def test_shop_count_scales_the_world_down_without_changing_the_shops_kept(dataset):
    small = generate_dataset(DatasetConfig(seed=7, start_date=START, end_date=START, shop_count=3))
    assert [s.shop_id for s in small.shops] == [s.shop_id for s in dataset.shops[:3]]
    kept = {s.shop_id for s in small.shops}
    assert small.orders == [
        o for o in dataset.orders if _utc_day(o) == START and o.shop.shop_id in kept
    ]
    with pytest.raises(ValueError, match="shop_count"):
        DatasetConfig(seed=7, start_date=START, end_date=START, shop_count=0)
