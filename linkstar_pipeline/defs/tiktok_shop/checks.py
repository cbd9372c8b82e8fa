"""Checks on landed TikTok Shop data: gaps and API-vs-landed counts (lateness is the
freshness policy every asset carries)."""

import json
from datetime import date, timedelta

import dagster as dg

# The module, not its assets: names imported here would be loaded as this module's assets too.
from linkstar_pipeline.defs.tiktok_shop import assets as tiktok_shop_assets
from linkstar_pipeline.defs.tiktok_shop.landing import (
    landed_order_files,
    landed_order_pages_by_partition,
    orders_in_page,
)
from linkstar_pipeline.lib.paths import linkstar_paths


@dg.asset_check(
    asset=tiktok_shop_assets.orders,
    description="Every UTC day between the first and the last landed orders partition has a file.",
)
def orders_partitions_have_no_gaps() -> dg.AssetCheckResult:
    landed = sorted(date.fromisoformat(key) for key in landed_order_files(linkstar_paths().raw_dir))
    if not landed:
        return dg.AssetCheckResult(
            passed=False, description="No orders partition has been landed yet."
        )
    expected = {landed[0] + timedelta(days=n) for n in range((landed[-1] - landed[0]).days + 1)}
    missing = sorted(expected - set(landed))
    return dg.AssetCheckResult(
        passed=not missing,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "first_partition": str(landed[0]),
            "last_partition": str(landed[-1]),
            "missing_partitions": dg.MetadataValue.json([str(day) for day in missing]),
        },
    )


@dg.asset_check(
    asset=tiktok_shop_assets.orders,
    description=(
        "For every landed partition and shop, the orders landed equal the API's own total_count: "
        "a mismatch means pages were lost or the API's paging changed under us."
    ),
)
def orders_landed_match_api_total_count() -> dg.AssetCheckResult:
    mismatches = []
    for partition_key, pages in landed_order_pages_by_partition(linkstar_paths().raw_dir).items():
        landed_by_shop: dict[str, int] = {}
        total_by_shop: dict[str, int] = {}
        for page in pages:
            shop = page.shop_id or "?"
            landed_by_shop[shop] = landed_by_shop.get(shop, 0) + orders_in_page(page)
            if page.page_number == 1:
                total_by_shop[shop] = int(json.loads(page.body)["data"].get("total_count") or 0)
        for shop, landed in landed_by_shop.items():
            if landed != total_by_shop.get(shop, landed):
                mismatches.append(
                    {
                        "partition": partition_key,
                        "shop_id": shop,
                        "landed": landed,
                        "api_total_count": total_by_shop[shop],
                    }
                )
    return dg.AssetCheckResult(
        passed=not mismatches,
        metadata={
            "mismatches": dg.MetadataValue.json(mismatches[:50]),
            "mismatch_count": len(mismatches),
        },
    )
