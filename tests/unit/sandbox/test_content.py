"""The content world's invariants: one channel per order, content GMV = its orders' GMV,
a consistent funnel, nothing visible before it happens."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from sandbox.content import (
    AFFILIATE,
    CHANNELS,
    LIVE,
    VIDEO,
    ContentWorld,
    is_paid_gmv,
    latest_available_date,
    live_sessions_truth,
    shop_performance_truth,
    video_performance_truth,
    videos_truth,
)
from sandbox.generator import DatasetConfig, generate_dataset
from sandbox.ground_truth import local_date, order_gmv

AS_OF = int(datetime(2026, 11, 20, 12, tzinfo=UTC).timestamp())


@pytest.fixture(scope="module")
def world():
    config = DatasetConfig(7, date(2026, 11, 5), date(2026, 11, 20), 20, shop_count=4)
    return ContentWorld(generate_dataset(config))


def test_every_order_has_exactly_one_channel(world):
    orders = world.dataset.orders
    assert sorted(world.attributions) == sorted(o.order_id for o in orders)
    channels = {a.channel for a in world.attributions.values()}
    assert channels == set(CHANNELS)


def test_attributed_content_existed_and_fits_the_order(world):
    lives = {s.live_id: s for v in world.lives.values() for s in v}
    for order in world.dataset.orders:
        a = world.attributions[order.order_id]
        if a.channel == LIVE:
            session = lives[a.content_id]
            assert session.start_time <= order.create_time < session.end_time
        elif a.channel in (VIDEO, AFFILIATE):
            video = world.video_by_id[a.content_id]
            assert video.post_time <= order.create_time
            assert video.product_id in {li.product_id for li in order.line_items}
            assert (video.creator_id is None) == (a.channel == VIDEO)
        if a.channel == AFFILIATE:
            assert a.creator_id == world.video_by_id[a.content_id].creator_id
            assert Decimal(0) < a.commission_amount <= order_gmv(order)
        else:
            assert a.creator_id is None and a.commission_amount is None


def test_video_and_live_gmv_is_the_sum_of_their_attributed_paid_orders(world):
    """Per video and shop-local paid day (published days only), and per finished LIVE."""
    by_video_day: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    by_live: dict[str, Decimal] = defaultdict(Decimal)
    for order in world.dataset.orders:
        a = world.attributions[order.order_id]
        if not (a.content_id and is_paid_gmv(order, AS_OF)):
            continue
        if a.content_type == VIDEO:
            paid_day = local_date(order.shop, order.state_at(AS_OF).times["paid_time"])
            if paid_day <= latest_available_date(order.shop, AS_OF):
                by_video_day[(a.content_id, paid_day)] += order_gmv(order)
        else:
            by_live[a.content_id] += order_gmv(order)
    video_days = video_performance_truth(world, AS_OF)
    got = {k: r.gmv for k, r in video_days.items() if r.gmv}
    assert got and got == dict(by_video_day)
    lives = live_sessions_truth(world, AS_OF)
    assert lives and all(by_live[k] == s.gmv for k, s in lives.items())


def test_shop_funnel_is_consistent_and_gmv_reconciles_with_orders(world):
    days = shop_performance_truth(world, AS_OF)
    assert days
    for row in days.values():
        assert row.product_impressions >= row.product_page_views >= row.add_to_cart >= row.orders
        assert row.product_page_views >= row.visitors >= row.orders
        assert row.buyers <= row.orders
    video_days = video_performance_truth(world, AS_OF)
    for (video_id, day), row in video_days.items():
        shop_day = days[(row.shop_id, day)]
        assert row.gmv <= shop_day.gmv


def test_a_viral_video_spikes(world):
    for shop in world.dataset.shops:
        viral = [v for v in world.videos[shop.shop_id] if v.viral]
        assert 1 <= len(viral) <= 2
    rows = video_performance_truth(world, AS_OF).values()
    top = max(rows, key=lambda r: r.views)
    assert world.video_by_id[top.video_id].viral


def test_nothing_is_visible_before_it_happens(world):
    early = int(datetime(2026, 11, 12, 6, tzinfo=UTC).timestamp())
    assert all(v.post_time <= early for v in videos_truth(world, early).values())
    assert all(s.session.end_time <= early for s in live_sessions_truth(world, early).values())
    assert max(day for _, day in shop_performance_truth(world, early)) == date(2026, 11, 11)
    assert len(videos_truth(world, early)) < len(videos_truth(world, AS_OF))


def test_the_world_is_deterministic(world):
    again = ContentWorld(world.dataset)
    assert again.attributions == world.attributions
    assert video_performance_truth(again, AS_OF) == video_performance_truth(world, AS_OF)
