"""Large and asynchronous TikTok Ads reports against the sandbox over real HTTP on 127.0.0.1.

The reference row set is always an unsplit synchronous report from a sandbox whose limit is
far away; the synchronous path itself is checked against the generator's truth in
test_tiktok_ads_client.py.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from connectors.rate_limit import RateLimiter
from connectors.retry import RetryPolicy
from connectors.sandbox_defaults import sandbox_environment
from connectors.tiktok_ads import (
    TikTokAdsApiError,
    TikTokAdsClient,
    TikTokAdsReportTaskError,
    TikTokAdsSettings,
    parse_metrics,
    parse_stat_day,
)
from sandbox.ads_generator import gmv_max_daily_truth
from tests.conftest import sandbox_running

AS_OF = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
START, END = date(2026, 10, 12), date(2026, 11, 20)  # two report windows of at most 30 days
METRICS = ["spend", "impressions", "clicks", "conversion", "total_onsite_shopping_value"]
METRICS += ["reach", "video_play_actions", "ad_name"]
DIMENSIONS = ["ad_id", "stat_time_day"]
FAST_RETRY = RetryPolicy(max_attempts=12, base_delay=0.001, max_delay=0.01)
REPORT = "/open_api/v1.3/report/integrated/get/"
TASK_CREATE = "/open_api/v1.3/report/task/create/"
TASK_CANCEL = "/open_api/v1.3/report/task/cancel/"


def sandbox(**overrides):
    settings = {
        "as_of": AS_OF,
        "start_date": date(2026, 11, 18),
        "end_date": date(2026, 11, 20),
        "orders_per_shop_day": 1,
        "ads_rate_limit_per_second": 10_000,
        "ads_rate_limit_burst": 10_000,
    }
    return sandbox_running(**{**settings, **overrides})


@pytest.fixture(scope="module")
def sb():
    with sandbox() as running:
        yield running


def client_for(base_url: str, **changes) -> TikTokAdsClient:
    settings = TikTokAdsSettings.from_env(environ=sandbox_environment(base_url))
    changes.setdefault("report_task_poll_seconds", 0.01)
    return TikTokAdsClient(
        replace(settings, **changes),
        retry=FAST_RETRY,
        rate_limit_backoff=0.02,
        limiter=RateLimiter(0),
        task_limiter=RateLimiter(2.0),  # the API's ~2 task creations a second
        timeout=10.0,
    )


def busiest_advertisers(sb, n: int) -> list[str]:
    ads = sb.ads_dataset
    ranked = sorted(ads.advertisers, key=lambda a: -len(ads.ads_of(a.advertiser_id)))
    return [a.advertiser_id for a in ranked[:n]]


def rows_of(client, advertiser_ids, level="AUCTION_AD", dimensions=DIMENSIONS, metrics=METRICS):
    """Every row, as (advertiser, sorted dimensions, sorted metrics), sorted."""
    out = []
    for advertiser_id in advertiser_ids:
        pages = client.iter_report_pages(advertiser_id, level, START, END, metrics, dimensions)
        for page in pages:
            for row in page.rows:
                out.append(
                    (
                        advertiser_id,
                        tuple(sorted(row["dimensions"].items())),
                        tuple(sorted(row["metrics"].items())),
                    )
                )
    return sorted(out)


def sums(rows) -> dict[str, Decimal]:
    totals: Counter = Counter()
    for *_, metrics in rows:
        for name, value in parse_metrics(dict(metrics)).items():
            if isinstance(value, int | Decimal):
                totals[name] += value
    return dict(totals)


@pytest.fixture(scope="module")
def unsplit(sb):
    sb.set_as_of(AS_OF)
    ids = busiest_advertisers(sb, 2)
    return ids, rows_of(client_for(sb.base_url), ids)


# ------------------------------------------------------------------------- 40067 → split


def test_a_too_large_report_is_split_by_ids_and_equals_the_unsplit_one(unsplit):
    ids, expected = unsplit
    # 3 ads a report at most: the advertiser, then single campaigns (up to 6 ads) are too
    # large, so batches are halved and campaigns split by their ad groups (at most 3 ads).
    with sandbox(ads_max_report_entities=3) as tight:
        rows = rows_of(client_for(tight.base_url), ids)
        log = [entry for entry in tight.ads_request_log if entry[1] == REPORT]
    assert rows == expected
    assert len(rows) == len(set(rows)) > 50
    assert sums(rows) == sums(expected)
    codes = Counter(code for *_, code in log)
    assert codes[40067] >= 2 * len(ids) and codes[0] > 4 * len(ids), codes


def test_an_advertiser_level_report_too_large_is_a_clear_error_not_a_partial_split(sb):
    [advertiser_id] = busiest_advertisers(sb, 1)
    with sandbox(ads_max_report_entities=3) as tight:
        client = client_for(tight.base_url)
        with pytest.raises(TikTokAdsApiError) as caught:
            rows_of(client, [advertiser_id], "AUCTION_ADVERTISER", ["advertiser_id"], ["spend"])
    assert caught.value.code == 40067 and caught.value.advertiser_id == advertiser_id
    assert caught.value.request_id and "filter by campaign" in str(caught.value)


def test_a_too_large_report_can_fall_back_to_an_async_task(unsplit):
    ids, expected = unsplit
    with sandbox(ads_max_report_entities=3) as tight:
        rows = rows_of(client_for(tight.base_url, too_large_fallback="async"), ids)
        creations = [e for e in tight.ads_request_log if e[1] == TASK_CREATE and e[3] == 0]
    assert rows == expected
    assert len(creations) == 2 * len(ids)  # one task per advertiser and 30-day window


# ---------------------------------------------------------------------------- async tasks


def test_async_mode_gives_the_same_rows_as_sync(sb, unsplit):
    ids, expected = unsplit
    before = len(sb.ads_request_log)
    rows = rows_of(client_for(sb.base_url, report_mode="async"), ids)
    assert rows == expected
    calls = Counter(path for _, path, _, _ in sb.ads_request_log[before:])
    assert calls[REPORT] == 0 and calls[TASK_CREATE] == 2 * len(ids)


def test_a_failed_task_names_advertiser_task_and_request(sb):
    [advertiser_id] = busiest_advertisers(sb, 1)
    with sandbox(ads_report_task_failure_rate=1.0) as failing:
        client = client_for(failing.base_url, report_mode="async")
        with pytest.raises(TikTokAdsReportTaskError) as caught:
            rows_of(client, [advertiser_id])
    error = caught.value
    assert error.status == "FAILED" and error.task_id and error.request_id
    for part in (advertiser_id, error.task_id, error.request_id, "FAILED"):
        assert part in str(error)


def test_a_task_that_never_finishes_times_out_and_is_cancelled(sb):
    [advertiser_id] = busiest_advertisers(sb, 1)
    with sandbox(ads_report_task_checks_to_finish=10_000) as slow:
        client = client_for(slow.base_url, report_mode="async", report_task_timeout_seconds=0.2)
        with pytest.raises(TikTokAdsReportTaskError) as caught:
            rows_of(client, [advertiser_id])
        cancels = [e for e in slow.ads_request_log if e[1] == TASK_CANCEL and e[3] == 0]
    assert "TIKTOK_ADS_REPORT_TASK_TIMEOUT_SECONDS" in str(caught.value)
    assert caught.value.status in ("QUEUING", "PROCESSING") and len(cancels) == 1


# ------------------------------------------------------------------------------- GMV Max


def test_gmv_max_report_per_store_equals_the_ground_truth(sb):
    sb.set_as_of(AS_OF)
    client = client_for(sb.base_url, page_size=5)
    truth = gmv_max_daily_truth(sb.ads_dataset, sb.as_of(), START, END)
    assert len({key[1] for key in truth}) >= 2, "several shops run GMV Max"
    got = {}
    for advertiser in sb.ads_dataset.advertisers:
        pages = client.iter_gmv_max_report_pages(
            advertiser.advertiser_id, advertiser.shop_id, START, END
        )
        for page in pages:
            for row in page.rows:
                day = parse_stat_day(row["dimensions"]["stat_time_day"])
                key = (advertiser.advertiser_id, advertiser.shop_id)
                got[(*key, row["dimensions"]["campaign_id"], day)] = parse_metrics(row["metrics"])
    expected = {
        key: {
            "cost": day.cost,
            "orders": day.orders,
            "gross_revenue": day.gross_revenue,
            "roi": day.roi,
        }
        for key, day in truth.items()
    }
    assert got == expected


def test_gmv_max_for_a_store_the_advertiser_does_not_sell_for_is_a_clear_error(sb):
    first, second = sb.ads_dataset.advertisers[:2]
    client = client_for(sb.base_url)
    with pytest.raises(TikTokAdsApiError) as caught:
        list(client.iter_gmv_max_report_pages(first.advertiser_id, second.shop_id, END, END))
    assert caught.value.code == 40002 and second.shop_id in str(caught.value)
