"""The content ingestion assets materialised against the sandbox: raw files per entity,
look-back days re-pulled, counts equal to the content world's truth."""

from __future__ import annotations

import json
from datetime import date

import dagster as dg

from connectors.tiktok_shop_content import records
from linkstar_pipeline.defs.tiktok_shop import assets, content_assets
from linkstar_pipeline.defs.tiktok_shop.resources import TikTokShopApiResource
from linkstar_pipeline.lib.raw_landing import read_raw_pages
from sandbox.content import live_sessions_truth, shop_performance_truth, video_performance_truth
from tests.conftest import point_connectors_at, sandbox_running


class _Page:
    """A landed page seen through the client's record reader."""

    def __init__(self, body: str) -> None:
        self.data = json.loads(body)["data"]


def _count(path, entity: str) -> int:
    return sum(len(records(entity, _Page(p.body))) for p in read_raw_pages(path))


def test_content_assets_land_the_partition_and_its_look_back(linkstar_home, monkeypatch):
    monkeypatch.setenv("LINKSTAR_LOOKBACK_DAYS", "2")
    with sandbox_running(shop_count=2) as sb:
        point_connectors_at(monkeypatch, sb)
        result = dg.materialize(
            [
                assets.shops,
                content_assets.shop_performance_daily,
                content_assets.video_performance_daily,
                content_assets.live_sessions,
                content_assets.affiliate_orders,
            ],
            partition_key="2026-11-15",
            resources={"tiktok_shop": TikTokShopApiResource(max_attempts=2)},
        )
        as_of = sb.as_of()
        assert result.success
        raw = linkstar_home / "raw" / "tiktok_shop"
        days = {date(2026, 11, d) for d in (13, 14, 15)}
        videos = video_performance_truth(sb.content, as_of)
        for day in days:
            want = sum(1 for (_, d) in videos if d == day)
            path = raw / "video_performance_daily" / f"{day.isoformat()}.jsonl.gz"
            assert _count(path, "video_performance") == want > 0
        shop_days = [k for k in shop_performance_truth(sb.content, as_of) if k[1] in days]
        path = raw / "shop_performance_daily" / "2026-11-15.jsonl.gz"
        assert _count(path, "shop_performance") == len(shop_days) == 2 * 3
        lives = live_sessions_truth(sb.content, as_of)
        landed_lives = _count(raw / "live_sessions" / "2026-11-15.jsonl.gz", "live_sessions")
        assert 0 < landed_lives <= len(lives)
        assert _count(raw / "affiliate_orders" / "2026-11-15.jsonl.gz", "affiliate_orders") > 0
        key = dg.AssetKey(["tiktok_shop", "video_performance_daily"])
        (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key == key]
        metadata = event.materialization.metadata
        assert metadata["records"].value == sum(1 for (_, d) in videos if d in days)
