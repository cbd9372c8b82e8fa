"""The customer-service and review assets materialised against the sandbox, on real files."""

from __future__ import annotations

import json

import dagster as dg

from linkstar_pipeline.defs.tiktok_shop.assets import shops
from linkstar_pipeline.defs.tiktok_shop.resources import TikTokShopApiResource
from linkstar_pipeline.defs.tiktok_shop.service_assets import cs_conversations, product_reviews
from linkstar_pipeline.lib.raw_landing import raw_file_path, read_raw_pages
from tests.conftest import AS_OF, point_connectors_at, sandbox_running

DAYS = ("2026-11-17", "2026-11-18", "2026-11-19")


def test_conversations_and_reviews_land_per_update_day_with_their_messages(
    linkstar_home, monkeypatch
):
    with sandbox_running() as sb:
        point_connectors_at(monkeypatch, sb)
        resources = {"tiktok_shop": TikTokShopApiResource(max_attempts=3)}
        assert dg.materialize([shops], resources=resources).success
        result = dg.materialize(
            [shops, cs_conversations, product_reviews],
            selection=[cs_conversations, product_reviews],
            resources=resources,
            tags={
                "dagster/asset_partition_range_start": DAYS[0],
                "dagster/asset_partition_range_end": DAYS[-1],
            },
        )
        assert result.success
        as_of = sb.as_of()
        for day in DAYS:
            pages = list(
                read_raw_pages(
                    raw_file_path(linkstar_home / "raw", "tiktok_shop", "cs_conversations", day)
                )
            )
            listed = {
                c["id"]
                for p in pages
                if p.endpoint.endswith("/conversations")
                for c in json.loads(p.body)["data"]["conversations"]
            }
            with_messages = {
                p.endpoint.split("/")[4] for p in pages if p.endpoint.endswith("/messages")
            }
            expected = {
                c.conversation_id
                for cs in sb.service.conversations.values()
                for c in cs
                if (u := c.update_time_at(as_of)) is not None
                and AS_OF.fromtimestamp(u, AS_OF.tzinfo).strftime("%Y-%m-%d") == day
            }
            assert expected and expected <= listed and with_messages == expected
        landed = result.asset_materializations_for_node("tiktok_shop__cs_conversations")
        assert {m.partition for m in landed} == set(DAYS)
        assert landed[0].metadata["partitions"].value == 3


def test_the_refresh_jobs_include_the_service_assets():
    from linkstar_pipeline.definitions import defs
    from linkstar_pipeline.defs.refresh.jobs import INGEST_JOB_NAME, REBUILD_JOB_NAME

    def keys_of(job_name: str) -> set[str]:
        graph = defs.resolve_job_def(job_name).asset_layer.asset_graph
        return {key.to_user_string() for key in graph.get_all_asset_keys()}

    assert {"tiktok_shop/cs_conversations", "tiktok_shop/product_reviews"} <= keys_of(
        INGEST_JOB_NAME
    )
    assert {
        "staging/stg_tiktok_shop__cs_conversations",
        "staging/stg_tiktok_shop__product_reviews",
    } <= keys_of(REBUILD_JOB_NAME)
    graph = defs.resolve_asset_graph()
    for model, feed in [
        ("stg_tiktok_shop__cs_messages", "cs_conversations"),
        ("stg_tiktok_shop__product_reviews", "product_reviews"),
    ]:
        parents = graph.get(dg.AssetKey(["staging", model])).parent_keys
        assert dg.AssetKey(["tiktok_shop", feed]) in parents
