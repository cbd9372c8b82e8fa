"""A page the connector refuses fails its landing asset and leaves the partition's previous
raw file byte for byte: good data is never replaced with less (issue 16, item 2).

For each paging client (TikTok Shop orders, TikTok Ads structure, Lingxing ERP orders): land
against a clean sandbox, then land again against the same data (same seed) whose list pages
have lost their list; the second run fails naming endpoint, page and request id, and the raw
file is unchanged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from linkstar_pipeline.defs.erp.api_assets import api_orders
from linkstar_pipeline.defs.erp.api_resources import ErpApiResource
from linkstar_pipeline.defs.tiktok_ads.assets import advertisers, structure
from linkstar_pipeline.defs.tiktok_ads.resources import TikTokAdsApiResource
from linkstar_pipeline.defs.tiktok_shop.assets import orders, shops
from linkstar_pipeline.defs.tiktok_shop.resources import TikTokShopApiResource
from linkstar_pipeline.lib.clock import pipeline_today
from linkstar_pipeline.lib.raw_landing import raw_file_path, read_raw_pages
from tests.conftest import point_connectors_at, sandbox_running

DAY = "2026-11-18"
FAST = {"max_attempts": 2, "backoff_base_seconds": 0.001, "backoff_max_seconds": 0.01}


@dataclass(frozen=True)
class Landing:
    """One landing asset: what it needs landed first, where its raw file is, and what the
    refusal must name."""

    upstream: list
    asset: dg.AssetsDefinition
    partition: str | None
    raw_file: Callable[[Path], Path]
    names: tuple[str, ...]

    def run(self, resources: dict, *, raise_on_error: bool = True) -> dg.ExecuteInProcessResult:
        return dg.materialize(
            [*self.upstream, self.asset],
            selection=[self.asset],
            partition_key=self.partition,
            resources=resources,
            raise_on_error=raise_on_error,
        )


LANDINGS = {
    "tiktok_shop_orders": Landing(
        [shops],
        orders,
        DAY,
        lambda raw: raw_file_path(raw, "tiktok_shop", "orders", DAY),
        ("POST /order/202309/orders/search page 1", "`orders`", "page_token"),
    ),
    "tiktok_ads_campaigns": Landing(
        [advertisers],
        structure,
        None,
        lambda raw: raw_file_path(raw, "tiktok_ads", "campaigns", pipeline_today().isoformat()),
        ("/open_api/v1.3/campaign/get/ page 1", "`list`"),
    ),
    "erp_api_orders": Landing(
        [],
        api_orders,
        DAY,
        lambda raw: raw_file_path(raw, "erp_api", "orders", DAY),
        ("POST /pb/mp/order/v2/list", "offset 0"),
    ),
}
RESOURCES = {
    "tiktok_shop": TikTokShopApiResource(**FAST),
    "tiktok_ads": TikTokAdsApiResource(**FAST),
    "erp_api": ErpApiResource(**FAST),
}


@pytest.mark.parametrize("name", LANDINGS)
def test_a_page_without_its_list_fails_the_landing_and_keeps_the_good_raw_file(
    linkstar_home, monkeypatch, name
):
    landing = LANDINGS[name]
    with sandbox_running() as sb:
        point_connectors_at(monkeypatch, sb)
        for upstream in landing.upstream:
            assert dg.materialize([upstream], resources=RESOURCES).success
        assert landing.run(RESOURCES).success
    path = landing.raw_file(linkstar_home / "raw")
    good = path.read_bytes()
    assert len(list(read_raw_pages(path))) > 0

    with sandbox_running(list_fault_rate=1.0) as faulty:
        point_connectors_at(monkeypatch, faulty)
        result = landing.run(RESOURCES, raise_on_error=False)

    assert not result.success
    assert path.read_bytes() == good
    [failure] = result.get_step_failure_events()
    error = failure.step_failure_data.error
    message = error.cause.message if error.cause else error.message  # the connector's error
    assert all(part in message for part in landing.names), message
    assert "request_id 2" in message  # the sandbox's request ids start with the year
