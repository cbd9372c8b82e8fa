"""The content and LIVE KPI marts after the shared full refresh, compared with the truth the
sandbox's content world computes in plain Python (`sandbox.content`): per video-day views,
GMV and rates, per creator-day sums, per LIVE session GMV, time on air and GMV per hour, and
the weekly top decile of videos by GMV."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pytest

from sandbox.content import (
    affiliate_orders_truth,
    live_sessions_truth,
    video_performance_truth,
    videos_truth,
)
from sandbox.ground_truth import local_date
from tests.conftest import HISTORY_START
from tests.e2e.fx_truth import PublishedRates, half_up


def marts(home, sql: str) -> list[tuple]:
    connection = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def ratio(numerator: int, denominator: int) -> Decimal | None:
    return None if denominator == 0 else Decimal(numerator) / Decimal(denominator)


def assert_rate(got: Decimal | None, want: Decimal | None, what: str) -> None:
    if want is None:
        assert got is None, what
    else:
        # Rates are stored with 6 decimals, rounded once, half up: exact, zero tolerance.
        assert got == half_up(want, 6), (what, got, want)


def video_creator_keys(sandbox) -> dict[str, str | None]:
    """The creator key each video should get: the creator's id when the warehouse can know it
    (the creator sold through an affiliate order), else `handle:<handle>`; None for the shop's
    own account."""
    as_of = sandbox.as_of()
    known = {a.creator_id for a in affiliate_orders_truth(sandbox.content, as_of).values()}
    keys = {}
    for video in videos_truth(sandbox.content, as_of).values():
        if video.creator_id is None:
            keys[video.video_id] = None
        elif video.creator_id in known:
            keys[video.video_id] = video.creator_id
        else:
            keys[video.video_id] = f"handle:{video.username.lower()}"
    return keys


def test_video_days_match_the_platform_truth_with_rates_from_sums(loaded_warehouse):
    home, sandbox, _, _ = loaded_warehouse
    rows = marts(
        home,
        "select video_id, local_date, posts, views, attributed_orders, attributed_gmv_amount, "
        "like_rate, comment_rate, share_rate, click_to_shop_rate, creator_key, posted_by_type "
        "from marts.kpi_content_daily where level = 'video'",
    )
    got = {(r[0], r[1]): r[2:] for r in rows}
    as_of = sandbox.as_of()
    truth = video_performance_truth(sandbox.content, as_of)
    videos = videos_truth(sandbox.content, as_of)
    creator_keys = video_creator_keys(sandbox)
    checked = 0
    for (video_id, day), t in truth.items():
        if day < HISTORY_START:
            continue
        assert (video_id, day) in got, (video_id, day)
        posts, views, orders, gmv, like, comment, share, click, creator_key, posted_by = got[
            (video_id, day)
        ]
        video = videos[video_id]
        posted_day = local_date(sandbox.content.shop(video.shop_id), video.post_time)
        assert posts == (1 if day == posted_day else 0)
        assert (views, orders, gmv) == (t.views, t.orders, t.gmv), (video_id, day)
        assert_rate(like, ratio(t.likes, t.views), f"like rate {video_id} {day}")
        assert_rate(comment, ratio(t.comments, t.views), f"comment rate {video_id} {day}")
        assert_rate(share, ratio(t.shares, t.views), f"share rate {video_id} {day}")
        assert_rate(click, ratio(t.product_clicks, t.views), f"click rate {video_id} {day}")
        assert creator_key == creator_keys[video_id]
        assert posted_by == ("shop_account" if video.creator_id is None else "creator")
        checked += 1
    assert checked > 1000
    assert all(isinstance(r[5], Decimal) for r in rows)


def test_creator_days_are_the_sums_of_their_videos(loaded_warehouse):
    home, sandbox, _, _ = loaded_warehouse
    rows = marts(
        home,
        "select content_key, local_date, posts, views, attributed_orders, attributed_gmv_amount, "
        "like_rate, click_to_shop_rate from marts.kpi_content_daily where level = 'creator'",
    )
    got = {(r[0], r[1]): r[2:] for r in rows}
    as_of = sandbox.as_of()
    videos = videos_truth(sandbox.content, as_of)
    creator_keys = video_creator_keys(sandbox)
    sums: dict[tuple[str, date], list] = defaultdict(lambda: [0, 0, 0, Decimal(0), 0, 0])
    for (video_id, day), t in video_performance_truth(sandbox.content, as_of).items():
        key = creator_keys[video_id]
        if key is None or day < HISTORY_START:
            continue
        video = videos[video_id]
        posted_day = local_date(sandbox.content.shop(video.shop_id), video.post_time)
        s = sums[(key, day)]
        s[0] += 1 if day == posted_day else 0
        s[1] += t.views
        s[2] += t.orders
        s[3] += t.gmv
        s[4] += t.likes
        s[5] += t.product_clicks
    assert len(sums) > 200
    for key, (posts, views, orders, gmv, likes, clicks) in sums.items():
        assert got[key][:4] == (posts, views, orders, gmv), key
        assert_rate(got[key][4], ratio(likes, views), f"creator like rate {key}")
        assert_rate(got[key][5], ratio(clicks, views), f"creator click rate {key}")


def test_live_sessions_match_the_truth(loaded_warehouse):
    home, sandbox, _, _ = loaded_warehouse
    rows = marts(
        home,
        "select live_id, host_username, local_date, duration_seconds, viewers, "
        "avg_watch_seconds_per_viewer, orders, gmv_amount, gmv_per_hour_amount, "
        "session_return_rate from marts.kpi_live_sessions",
    )
    got = {r[0]: r[1:] for r in rows}
    truth = live_sessions_truth(sandbox.content, sandbox.as_of())
    assert got and got.keys() <= truth.keys()
    assert len(got) >= 0.8 * len(truth)  # sessions before the loaded window are not asked for
    for live_id, (
        host,
        day,
        duration,
        viewers,
        watch,
        orders,
        gmv,
        per_hour,
        returns,
    ) in got.items():
        stats = truth[live_id]
        session = stats.session
        on_air = session.end_time - session.start_time
        shop = sandbox.content.shop(session.shop_id)
        assert (host, day, duration, viewers) == (
            session.host_username,
            local_date(shop, session.start_time),
            on_air,
            session.total_viewers,
        ), live_id
        assert watch == Decimal(session.avg_watch_seconds), live_id
        assert (orders, gmv) == (stats.orders, stats.gmv), live_id
        want_per_hour = half_up(stats.gmv * 3600 / on_air, 2)
        assert per_hour == want_per_hour, (live_id, per_hour, want_per_hour)
        assert returns is None  # no API links orders to a shop's own LIVE sessions


def test_weekly_top_decile_by_reporting_gmv_matches_the_truth(loaded_warehouse):
    """GMV per video and ISO week from the generator, converted day by day at the published
    rates (exact decimals, rounded once to the cent), ranked in Python; only weeks whose every
    video-day has a rate are compared."""
    home, sandbox, _, _ = loaded_warehouse
    rates = PublishedRates(sandbox)
    as_of = sandbox.as_of()
    videos = videos_truth(sandbox.content, as_of)
    weekly: dict[date, dict[str, Decimal | None]] = defaultdict(dict)
    for (video_id, day), t in video_performance_truth(sandbox.content, as_of).items():
        currency = sandbox.content.shop(videos[video_id].shop_id).currency
        amount = rates.in_reporting_currency(t.gmv, day, currency)
        week = weekly[day - timedelta(days=day.weekday())]
        before = week.get(video_id, Decimal(0))
        week[video_id] = None if before is None or amount is None else before + amount

    got = {
        (r[0], r[1]): r[2:]
        for r in marts(
            home,
            "select video_id, week_start, gmv_rank, is_top_decile, videos_in_week "
            "from marts.kpi_top_content",
        )
    }
    compared = 0
    for week_start, gmv in weekly.items():
        if week_start < HISTORY_START or any(v is None for v in gmv.values()):
            continue
        ordered = sorted(gmv.values(), reverse=True)
        cutoff = math.ceil(len(gmv) / 10)
        for video_id, amount in gmv.items():
            rank = ordered.index(amount) + 1
            in_top = amount > 0 and rank <= cutoff
            assert got[(video_id, week_start)] == (rank, in_top, len(gmv)), (video_id, week_start)
        assert any(got[(v, week_start)][1] for v in gmv)
        compared += 1
    assert compared >= 2


@pytest.mark.parametrize(
    "mart", ["dim_videos", "dim_creators", "dim_live_sessions", "kpi_top_content"]
)
def test_content_marts_are_published_for_bi(loaded_warehouse, mart):
    home, _, _, _ = loaded_warehouse
    serving = duckdb.connect(str(home / "serving" / "serving.duckdb"), read_only=True)
    try:
        assert serving.execute(f"select count(*) from marts.{mart}").fetchone()[0] > 0
    finally:
        serving.close()
