"""The ERP open-API assets, materialized by Dagster against the sandbox's 领星 emulator:
raw pages land per update day and as an inventory snapshot, a rerun replaces the day's file,
and a seller without an ERP API gets a clear "not configured" and no failure."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import dagster as dg
import pytest

from linkstar_pipeline.defs.erp.api_assets import api_inventory, api_orders
from linkstar_pipeline.defs.erp.api_resources import ErpApiResource
from linkstar_pipeline.lib.paths import linkstar_paths
from linkstar_pipeline.lib.raw_landing import raw_file_path, read_raw_pages
from sandbox.lingxing_api import lingxing_api_truth
from tests.conftest import point_connectors_at, sandbox_running

DAYS = ("2026-11-10", "2026-11-11", "2026-11-12")


def materialize(
    partition: str | None = None, tags: dict | None = None, instance=None
) -> dg.ExecuteInProcessResult:
    assets = [api_orders] if partition or tags else [api_inventory]
    return dg.materialize(
        assets,
        resources={"erp_api": ErpApiResource(backoff_base_seconds=0.05, backoff_max_seconds=0.5)},
        partition_key=partition,
        tags=tags,
        instance=instance,
    )


def landed_orders(day: str) -> list[dict]:
    path = raw_file_path(linkstar_paths().raw_dir, "erp_api", "orders", day)
    return [o for p in read_raw_pages(path) for o in json.loads(p.body)["data"]["list"]]


def test_orders_and_inventory_land_raw_pages_per_day_and_per_snapshot(linkstar_home, monkeypatch):
    from dagster._core.storage.tags import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
    )

    with sandbox_running() as sandbox:
        point_connectors_at(monkeypatch, sandbox)
        tags = {ASSET_PARTITION_RANGE_START_TAG: DAYS[0], ASSET_PARTITION_RANGE_END_TAG: DAYS[-1]}
        result = materialize(tags=tags)
        assert result.success
        metadata = result.asset_materializations_for_node("erp__api_orders")[0].metadata
        assert metadata["configured"].value is True
        assert metadata["partitions"].value == len(DAYS)

        truth = lingxing_api_truth(sandbox.dataset, sandbox.as_of())
        landed = {day: landed_orders(day) for day in DAYS}
        assert metadata["orders_landed"].value == sum(len(v) for v in landed.values())
        for day in DAYS:
            start = datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp() - 3600
            for order in landed[day]:
                assert start <= order["update_time"] < start + 25 * 3600
                assert truth.statuses[order["global_order_no"]] == order["status"]
        pages = list(
            read_raw_pages(raw_file_path(linkstar_paths().raw_dir, "erp_api", "orders", DAYS[0]))
        )
        assert all("access_token" not in p.request_query for p in pages)
        assert all("sign" not in p.request_query for p in pages)

        # A rerun of one day replaces its file (same orders, no appended duplicates).
        assert materialize(partition=DAYS[0]).success
        assert sorted(o["global_order_no"] for o in landed_orders(DAYS[0])) == sorted(
            o["global_order_no"] for o in landed[DAYS[0]]
        )

        inventory = materialize()
        assert inventory.success
        meta = inventory.asset_materializations_for_node("erp__api_inventory")[0].metadata
        assert meta["rows_landed"].value == truth.inventory_rows


@pytest.mark.parametrize("asset", ["orders", "inventory"])
def test_without_an_erp_api_the_assets_land_nothing_and_say_so(linkstar_home, monkeypatch, asset):
    monkeypatch.delenv("ERP_API_BASE_URL", raising=False)
    instance = dg.DagsterInstance.ephemeral()
    result = materialize(partition="2026-11-10" if asset == "orders" else None, instance=instance)
    assert result.success
    messages = [entry.user_message for entry in instance.all_logs(result.run_id)]
    node = f"erp__api_{asset}"
    metadata = result.asset_materializations_for_node(node)[0].metadata
    assert metadata["configured"].value is False
    assert any(m.startswith("ERP API not configured") for m in messages)
    folder = linkstar_paths().raw_dir / "erp_api" / asset
    assert [p.name for p in folder.iterdir()] == ["_nothing_landed_yet.jsonl.gz"]
    assert list(read_raw_pages(folder / "_nothing_landed_yet.jsonl.gz")) == []


def test_a_half_configured_erp_api_fails_naming_the_missing_variable(linkstar_home, monkeypatch):
    monkeypatch.setenv("ERP_API_BASE_URL", "http://127.0.0.1:9/lingxing")
    monkeypatch.delenv("ERP_API_APP_ID", raising=False)
    monkeypatch.delenv("ERP_API_APP_SECRET", raising=False)
    result = dg.materialize(
        [api_inventory], resources={"erp_api": ErpApiResource()}, raise_on_error=False
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "ERP_API_APP_ID" in str(failure.step_failure_data.error)
