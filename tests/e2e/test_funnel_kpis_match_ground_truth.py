"""The funnel marts after the shared full refresh, compared with the truth the sandbox computes
in plain Python: fct_order_lines line by line against the generator's orders, and
kpi_funnel_daily per shop-day and channel against the generator's orders, the content world
(shop analytics, video days, LIVE sessions, the channel of every order) and the ads truth."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pytest

from sandbox.ads_generator import ad_daily_truth
from sandbox.content import (
    LIVE,
    VIDEO,
    is_paid_gmv,
    latest_available_date,
    live_sessions_truth,
    shop_performance_truth,
    video_performance_truth,
)
from sandbox.ground_truth import loaded_orders, local_date, order_gmv
from tests.conftest import AS_OF, HISTORY_START
from tests.e2e.shop_day_truth import ad_counts_by_shop_day

pytestmark = pytest.mark.e2e

RATE_TOLERANCE = Decimal("0.000001")  # rates are stored with 6 decimals
ADS_LAST_DAY = AS_OF.date() + timedelta(days=1)  # advertisers ahead of UTC already report it


def marts(home, sql: str) -> list[tuple]:
    connection = duckdb.connect(str(home / "serving" / "serving.duckdb"), read_only=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def ratio(numerator: int | None, denominator: int | None) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


def assert_rate(got: Decimal | None, want: Decimal | None, what: str) -> None:
    if want is None:
        assert got is None, what
    else:
        assert got is not None and abs(got - want) <= RATE_TOLERANCE, (what, got, want)


def funnel(home) -> dict[tuple[str, date, str], tuple]:
    rows = marts(
        home,
        "select shop_id, local_date, channel, impressions, clicks, add_to_cart, orders, "
        "repeat_orders, click_rate, add_to_cart_rate, cart_conversion_rate, "
        "click_to_order_rate, repeat_order_rate from marts.kpi_funnel_daily",
    )
    return {(r[0], r[1], r[2]): r[3:] for r in rows}


def paid_orders_truth(sandbox) -> dict[tuple[str, date], list]:
    """Paid, not cancelled orders by (shop, shop-local paid day), with the payment time."""
    as_of = sandbox.as_of()
    by_day: dict[tuple[str, date], list] = defaultdict(list)
    for order in loaded_orders(sandbox.dataset, as_of):
        if is_paid_gmv(order, as_of):
            paid = order.state_at(as_of).times["paid_time"]
            by_day[(order.shop.shop_id, local_date(order.shop, paid))].append((paid, order))
    return by_day


def repeat_orders_truth(paid: dict[tuple[str, date], list]) -> dict[tuple[str, date], int]:
    """A paid order is a repeat order when its buyer paid an earlier order in the same shop."""
    per_buyer: dict[tuple[str, str], list] = defaultdict(list)
    for (shop_id, day), orders in paid.items():
        for paid_time, order in orders:
            per_buyer[(shop_id, order.buyer.user_id)].append((paid_time, order.order_id, day))
    repeats: dict[tuple[str, date], int] = defaultdict(int)
    for (shop_id, _), orders in per_buyer.items():
        for _, _, day in sorted(orders)[1:]:
            repeats[(shop_id, day)] += 1
    return repeats


def test_order_lines_match_the_generated_orders_line_by_line(loaded_warehouse):
    home, sandbox, _, _ = loaded_warehouse
    rows = marts(
        home,
        "select order_id, line_item_id, sku_id, seller_sku, is_gift, original_price_amount, "
        "seller_discount_amount, platform_discount_amount, sale_price_amount, line_gmv_amount "
        "from marts.fct_order_lines",
    )
    got: dict[str, dict[str, tuple]] = defaultdict(dict)
    for order_id, line_id, *values in rows:
        got[order_id][line_id] = tuple(values)
    as_of = sandbox.as_of()
    orders = loaded_orders(sandbox.dataset, as_of)
    assert len(orders) > 1000
    assert got.keys() == {o.order_id for o in orders}
    for order in orders:
        want = {
            li.id: (
                li.sku_id,
                li.seller_sku,
                li.is_gift,
                li.original_price,
                li.seller_discount,
                li.platform_discount,
                li.sale_price,
                li.sale_price + li.platform_discount,
            )
            for li in order.line_items
        }
        assert got[order.order_id] == want, order.order_id
        # Line GMV is before the order's seller voucher, which is on no line.
        line_gmv = sum(values[-1] for values in got[order.order_id].values())
        assert line_gmv == order_gmv(order) + order.seller_voucher, order.order_id


def test_order_lines_add_up_to_the_orders_mart_and_products_are_dimensioned(loaded_warehouse):
    """An order's lines add up to its GMV plus its order-level seller voucher (the payment's
    seller discount beyond the lines'), which belongs to no line."""
    home, _, _, _ = loaded_warehouse
    mismatched = marts(
        home,
        "select o.order_id, o.gmv_amount, sum(l.line_gmv_amount) from marts.fct_orders o "
        "join marts.fct_order_lines l on o.order_id = l.order_id "
        "group by o.order_id, o.gmv_amount, o.seller_discount_amount "
        "having o.gmv_amount + o.seller_discount_amount - sum(l.seller_discount_amount) "
        "<> sum(l.line_gmv_amount)",
    )
    assert not mismatched, mismatched[:5]
    products = marts(home, "select count(*), count(distinct product_id) from marts.dim_products")
    assert products[0][0] == products[0][1] > 0
    unknown = marts(
        home,
        "select count(*) from marts.fct_order_lines l left join marts.dim_products p "
        "on l.product_id = p.product_id where p.product_id is null",
    )
    assert unknown == [(0,)]


def test_all_channel_matches_shop_analytics_and_paid_orders_per_shop_day(loaded_warehouse):
    home, sandbox, _, _ = loaded_warehouse
    got = funnel(home)
    as_of = sandbox.as_of()
    paid = paid_orders_truth(sandbox)
    repeats = repeat_orders_truth(paid)
    analytics = shop_performance_truth(sandbox.content, as_of)
    all_rows = {(shop, day): v for (shop, day, channel), v in got.items() if channel == "all"}
    assert {shop for shop, _ in all_rows} == {s.shop_id for s in sandbox.dataset.shops}
    checked_analytics = 0
    for (shop_id, day), values in all_rows.items():
        impressions, clicks, carts, orders, repeat, click, cart, cart_conv, click_order, rep = (
            values
        )
        assert orders == len(paid.get((shop_id, day), [])), (shop_id, day)
        assert repeat == repeats.get((shop_id, day), 0), (shop_id, day)
        assert_rate(rep, ratio(repeat, orders), f"repeat rate {shop_id} {day}")
        truth = analytics.get((shop_id, day))
        if day > latest_available_date(sandbox.content.shop(shop_id), as_of):
            assert (impressions, clicks, carts) == (None, None, None), (shop_id, day)
            continue
        if truth is None or day < HISTORY_START:
            continue
        assert (impressions, clicks, carts) == (
            truth.product_impressions,
            truth.product_page_views,
            truth.add_to_cart,
        ), (shop_id, day)
        assert_rate(click, ratio(clicks, impressions), f"click rate {shop_id} {day}")
        assert_rate(cart, ratio(carts, clicks), f"add-to-cart rate {shop_id} {day}")
        assert_rate(cart_conv, ratio(orders, carts), f"cart conversion {shop_id} {day}")
        assert_rate(click_order, ratio(orders, clicks), f"click-to-order {shop_id} {day}")
        checked_analytics += 1
    assert checked_analytics > 100
    assert sum(repeats.values()) > 0, "the data must contain returning buyers"


def test_video_and_live_channels_match_the_content_truth(loaded_warehouse):
    home, sandbox, _, _ = loaded_warehouse
    got = funnel(home)
    as_of = sandbox.as_of()
    video_sums: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0, 0, 0])
    for (_, day), t in video_performance_truth(sandbox.content, as_of).items():
        sums = video_sums[(t.shop_id, day)]
        sums[0] += t.views
        sums[1] += t.product_clicks
        sums[2] += t.orders
    live_sums: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0, 0])
    for stats in live_sessions_truth(sandbox.content, as_of).values():
        shop = sandbox.content.shop(stats.session.shop_id)
        sums = live_sums[(shop.shop_id, local_date(shop, stats.session.start_time))]
        sums[0] += stats.session.total_viewers
        sums[1] += stats.orders
    checked = 0
    for (shop_id, day, channel), values in got.items():
        impressions, clicks, carts, orders, repeat, click, _, _, click_order, _ = values
        # The first day is partial in western shops' local time; its sessions/videos may
        # predate the loaded window.
        if day <= HISTORY_START:
            continue
        if channel == "video" and impressions is not None:
            assert [impressions, clicks, orders] == video_sums.get((shop_id, day), [0, 0, 0]), (
                shop_id,
                day,
            )
            assert (carts, repeat) == (None, None)
            assert_rate(click, ratio(clicks, impressions), f"video click rate {shop_id} {day}")
            assert_rate(click_order, ratio(orders, clicks), f"video order rate {shop_id} {day}")
            checked += 1
        elif channel == "live":
            assert [impressions, orders] == live_sums.get((shop_id, day), [0, 0]), (shop_id, day)
            assert (clicks, carts, repeat) == (None, None, None)
    assert checked > 100
    assert any(v[3] for (_, d, c), v in got.items() if c == "live" and d > HISTORY_START)


def test_product_card_is_the_unattributed_remainder_of_paid_orders(loaded_warehouse):
    """The warehouse cannot see an order's channel; the remainder all − video − LIVE equals the
    generator's product-card orders except where a LIVE order is paid on another local day
    than the session started (sessions running past midnight)."""
    home, sandbox, _, _ = loaded_warehouse
    got = funnel(home)
    attributions = sandbox.content.attributions
    product_card: dict[tuple[str, date], int] = defaultdict(int)
    live_crossing_midnight: set[tuple[str, date]] = set()
    for (shop_id, day), orders in paid_orders_truth(sandbox).items():
        for _, order in orders:
            # An order placed before the window has no content attribution: no video or LIVE.
            attribution = attributions.get(order.order_id)
            if attribution is None or attribution.content_type not in (VIDEO, LIVE):
                product_card[(shop_id, day)] += 1
            elif attribution.channel == LIVE:
                session = next(
                    s for s in sandbox.content.lives[shop_id] if s.live_id == attribution.content_id
                )
                started = local_date(order.shop, session.start_time)
                if started != day:
                    live_crossing_midnight |= {(shop_id, day), (shop_id, started)}
    checked = 0
    for (shop_id, day, channel), values in got.items():
        if channel != "product_card" or values[3] is None or day <= HISTORY_START:
            continue
        assert values[:3] == (None, None, None)
        if (shop_id, day) in live_crossing_midnight:
            continue
        assert values[3] == product_card.get((shop_id, day), 0), (shop_id, day)
        channels = {c: got[(shop_id, day, c)][3] for c in ("all", "video", "live")}
        assert channels["all"] == channels["video"] + channels["live"] + values[3]
        checked += 1
    assert checked > 100


def test_ads_channel_counts_the_ads_truth_moved_to_the_shop_day(loaded_warehouse):
    home, sandbox, _, _ = loaded_warehouse
    got = funnel(home)
    ads_rows = {(s, d): v for (s, d, c), v in got.items() if c == "ads"}
    # Every advertiser day the refresh loaded, moved to the shop days it overlaps.
    truth = ad_counts_by_shop_day(
        sandbox, ad_daily_truth(sandbox.ads_dataset, sandbox.as_of(), HISTORY_START, ADS_LAST_DAY)
    )
    checked = 0
    for (shop_id, day), values in ads_rows.items():
        impressions, clicks, carts, orders, repeat, click, _, _, click_order, _ = values
        sums = truth.get((shop_id, day), {})
        want = [sums.get(name, 0) for name in ("impressions", "clicks", "complete_payment")]
        assert [impressions, clicks, orders] == want, (shop_id, day)
        assert (carts, repeat) == (None, None)
        assert_rate(click, ratio(clicks, impressions), f"ads click rate {shop_id} {day}")
        assert_rate(click_order, ratio(orders, clicks), f"ads order rate {shop_id} {day}")
        checked += impressions > 0
    assert checked > 100
    assert sum(v[3] for v in ads_rows.values()) > 0
