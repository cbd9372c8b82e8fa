"""Content endpoints (shop/video/LIVE analytics, affiliate orders): the content client against
the sandbox over real HTTP. Expected values come from `sandbox.content`'s truth functions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from connectors.retry import RetryPolicy
from connectors.sandbox_defaults import sandbox_environment
from connectors.tiktok_shop import TikTokShopApiError, TikTokShopClient, TikTokShopSettings
from connectors.tiktok_shop_content import (
    ContentPaths,
    TikTokShopContentClient,
    field_value,
    records,
)
from sandbox.content import (
    affiliate_orders_truth,
    live_sessions_truth,
    local_day_bounds,
    shop_performance_truth,
    video_performance_truth,
)
from sandbox.tiktok_shop_api import CODE_INVALID_PARAM
from tests.conftest import sandbox_running

AS_OF = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
START = date(2026, 11, 10)
FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.1)
US_SHOP = "7495836102748193021"  # America/Los_Angeles
ID_SHOP = "7494127735603349012"  # Asia/Jakarta


@pytest.fixture(scope="module")
def sb():
    with sandbox_running(start_date=START, end_date=AS_OF.date(), as_of=AS_OF, shop_count=4) as s:
        yield s


@pytest.fixture(scope="module")
def content(sb):
    settings = TikTokShopSettings.from_env(environ=sandbox_environment(sb.base_url))
    with TikTokShopClient(settings, retry=FAST_RETRY) as client:
        yield TikTokShopContentClient(client, ContentPaths())


def cipher(sb, shop_id: str) -> str:
    return next(s.cipher for s in sb.dataset.shops if s.shop_id == shop_id)


def as_of(sb) -> int:
    return sb.as_of()


def test_shop_performance_days_are_the_platform_view_in_shop_local_dates(sb, content):
    truth = shop_performance_truth(sb.content, as_of(sb))
    for shop_id in (US_SHOP, ID_SHOP):
        response = content.shop_performance(cipher(sb, shop_id), START, date(2026, 11, 25))
        got = {i["start_date"]: i for i in records("shop_performance", response)}
        want = {d.isoformat(): row for (s, d), row in truth.items() if s == shop_id}
        want = {k: v for k, v in want.items() if k >= START.isoformat()}
        assert got.keys() == want.keys()
        # Only finished local days: the last one is yesterday in the shop's own zone.
        assert max(got) == response.data["latest_available_date"] == "2026-11-19"
        for day, row in want.items():
            interval = got[day]
            assert Decimal(field_value("shop_performance", interval, "gmv_amount")) == row.gmv
            assert field_value("shop_performance", interval, "orders") == row.orders
            assert field_value("shop_performance", interval, "add_to_cart") == row.add_to_cart
            assert (
                interval["product_impressions"]
                >= interval["product_page_views"]
                >= interval["add_to_cart_count"]
                >= interval["orders"]
            )


def test_a_shop_local_day_crosses_the_utc_date_line(sb, content):
    """A Los Angeles day runs 08:00 UTC to 08:00 UTC: its GMV is the orders paid in it."""
    shop = next(s for s in sb.dataset.shops if s.shop_id == US_SHOP)
    day = date(2026, 11, 15)
    lo, _ = local_day_bounds(shop, day)
    assert datetime.fromtimestamp(lo, UTC).hour == 8
    response = content.shop_performance(shop.cipher, day, day)
    (interval,) = records("shop_performance", response)
    want = shop_performance_truth(sb.content, as_of(sb))[(US_SHOP, day)]
    assert interval["start_date"] == "2026-11-15" and interval["end_date"] == "2026-11-16"
    assert Decimal(interval["gmv"]["amount"]) == want.gmv


def test_video_performance_pages_cover_every_video_day(sb, content):
    truth = video_performance_truth(sb.content, as_of(sb))
    day = date(2026, 11, 14)
    pages = list(content.video_performance(cipher(sb, ID_SHOP), day, page_size=3))
    rows = [r for p in pages for r in records("video_performance", p)]
    want = {v: r for (v, d), r in truth.items() if d == day and r.shop_id == ID_SHOP}
    assert len(pages) > 1 and pages[-1].data["next_page_token"] == ""
    assert {r["id"] for r in rows} == want.keys() and len(rows) == len(want)
    for row in rows:
        expect = want[row["id"]]
        assert field_value("video_performance", row, "views") == expect.views
        assert field_value("video_performance", row, "orders") == expect.orders
        assert Decimal(field_value("video_performance", row, "gmv_amount")) == expect.gmv


def test_live_sessions_match_their_attributed_orders(sb, content):
    truth = live_sessions_truth(sb.content, as_of(sb))
    pages = list(content.live_sessions(cipher(sb, US_SHOP), START, date(2026, 11, 19), page_size=2))
    rows = [r for p in pages for r in records("live_sessions", p)]
    want = {k: v for k, v in truth.items() if v.session.shop_id == US_SHOP}
    assert {r["id"] for r in rows} == want.keys() and rows
    for row in rows:
        stats = want[row["id"]]
        assert Decimal(field_value("live_sessions", row, "gmv_amount")) == stats.gmv
        assert field_value("live_sessions", row, "peak_viewers") == stats.session.peak_viewers
        assert int(field_value("live_sessions", row, "start_time")) == stats.session.start_time


def test_affiliate_orders_by_update_time_carry_creator_and_commission(sb, content):
    truth = affiliate_orders_truth(sb.content, as_of(sb))
    ge = int(datetime(2026, 11, 10, tzinfo=UTC).timestamp())
    lt = int(AS_OF.timestamp()) + 1
    shop_cipher = cipher(sb, ID_SHOP)
    pages = list(content.affiliate_orders(shop_cipher, ge, lt, page_size=20))
    rows = [r for p in pages for r in records("affiliate_orders", p)]
    want = {k: v for k, v in truth.items() if v.shop_id == ID_SHOP}
    assert len(pages) > 1
    assert {r["id"] for r in rows} == want.keys()
    for row in rows:
        attribution = want[row["id"]]
        assert field_value("affiliate_orders", row, "creator_id") == attribution.creator_id
        assert field_value("affiliate_orders", row, "content_id") == attribution.content_id
        assert Decimal(field_value("affiliate_orders", row, "commission_rate")) == (
            attribution.commission_rate
        )
        commission = sum(Decimal(s["estimated_commission"]["amount"]) for s in row["skus"])
        assert commission == attribution.commission_amount


@pytest.mark.parametrize(
    "params",
    [
        {"start_date_ge": "2026-11-10"},
        {"start_date_ge": "2026-11-10", "end_date_lt": "2026-11-10"},
        {"start_date_ge": "11/10/2026", "end_date_lt": "2026-11-12"},
        {"start_date_ge": "2026-01-01", "end_date_lt": "2026-11-12"},
        {"start_date_ge": "2026-11-10", "end_date_lt": "2026-11-12", "page_size": "101"},
        {"start_date_ge": "2026-11-10", "end_date_lt": "2026-11-12", "page_size": "0"},
        {"start_date_ge": "2026-11-10", "end_date_lt": "2026-11-12", "page_token": "bogus"},
        {"start_date_ge": "2026-11-10", "end_date_lt": "2026-11-12", "sort_field": "likes"},
    ],
)
def test_bad_analytics_params_are_rejected_with_invalid_param(sb, content, params):
    with pytest.raises(TikTokShopApiError) as err:
        content.client.get(ContentPaths().video_performance, cipher(sb, US_SHOP), params)
    assert err.value.code == CODE_INVALID_PARAM


def test_client_refuses_a_page_size_out_of_range_before_sending(sb, content):
    with pytest.raises(ValueError, match="page_size"):
        content.video_performance(cipher(sb, US_SHOP), START, page_size=101)
    with pytest.raises(ValueError, match="before"):
        content.shop_performance(cipher(sb, US_SHOP), START, START - timedelta(days=1))


def test_paths_are_overridable_from_the_environment():
    paths = ContentPaths.from_env(
        {"TIKTOK_SHOP_PATH_SHOP_PERFORMANCE": "/analytics/202510/shop/performance"}
    )
    assert paths.shop_performance == "/analytics/202510/shop/performance"
    assert paths.video_performance == ContentPaths().video_performance
    with pytest.raises(ValueError, match="absolute"):
        ContentPaths.from_env({"TIKTOK_SHOP_PATH_LIVE_PERFORMANCE": "analytics/x"})
