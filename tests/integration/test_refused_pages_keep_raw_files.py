"""A page the connector refuses fails its landing asset and leaves the partition's previous
raw file byte for byte: good data is never replaced with less (issue 16, item 2)."""

from __future__ import annotations

import json

import dagster as dg

from linkstar_pipeline.defs.tiktok_shop.assets import orders, shops
from linkstar_pipeline.defs.tiktok_shop.resources import TikTokShopApiResource
from linkstar_pipeline.lib.raw_landing import raw_file_path, read_raw_pages
from tests.conftest import point_connectors_at, sandbox_running

DAY = "2026-11-18"
SEARCH = "POST /order/202309/orders/search"


def land_orders(resources: dict, *, raise_on_error: bool = True) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [shops, orders],
        selection=[orders],
        partition_key=DAY,
        resources=resources,
        raise_on_error=raise_on_error,
    )


def test_a_page_without_its_orders_list_fails_the_landing_and_keeps_the_good_raw_file(
    linkstar_home, monkeypatch
):
    resources = {
        "tiktok_shop": TikTokShopApiResource(
            max_attempts=2, backoff_base_seconds=0.001, backoff_max_seconds=0.01
        )
    }
    with sandbox_running() as sb:
        point_connectors_at(monkeypatch, sb)
        assert dg.materialize([shops], resources=resources).success
        assert land_orders(resources).success
    path = raw_file_path(linkstar_home / "raw", "tiktok_shop", "orders", DAY)
    good = path.read_bytes()
    landed = sum(len(json.loads(p.body)["data"]["orders"]) for p in read_raw_pages(path))
    assert landed > 0

    # The same shops and orders (same seed), every page now without its `orders` list.
    with sandbox_running(list_fault_rate=1.0) as faulty:
        point_connectors_at(monkeypatch, faulty)
        result = land_orders(resources, raise_on_error=False)

    assert not result.success
    assert path.read_bytes() == good
    [failure] = [e for e in result.get_step_failure_events()]
    message = failure.step_failure_data.error.cause.message  # the connector's own error
    assert f"{SEARCH} page 1" in message and "`orders`" in message
    assert "request_id 2" in message  # the sandbox's request ids are timestamped
