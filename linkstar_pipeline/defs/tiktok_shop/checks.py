"""Checks on landed TikTok Shop data: gaps and API-vs-landed counts (lateness is the
freshness policy every asset carries)."""

import json
from datetime import date, timedelta

import dagster as dg

# The module, not its assets: names imported here would be loaded as this module's assets too.
from linkstar_pipeline.defs.tiktok_shop import assets as tiktok_shop_assets
from linkstar_pipeline.defs.tiktok_shop.feeds import SEARCH_FEEDS, SearchFeed
from linkstar_pipeline.defs.tiktok_shop.landing import (
    landed_feed_files,
    landed_feed_pages_by_partition,
    record_ids_in_page,
)
from linkstar_pipeline.lib.paths import linkstar_paths


def _no_gaps_check(feed: SearchFeed, asset: dg.AssetsDefinition) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset,
        name=f"{feed.entity}_partitions_have_no_gaps",
        description=(
            f"Every UTC day between the first and the last landed {feed.entity} partition "
            "has a file."
        ),
    )
    def _check() -> dg.AssetCheckResult:
        keys = landed_feed_files(linkstar_paths().raw_dir, feed.entity)
        landed = sorted(date.fromisoformat(key) for key in keys)
        if not landed:
            return dg.AssetCheckResult(
                passed=False, description=f"No {feed.entity} partition has been landed yet."
            )
        span = (landed[-1] - landed[0]).days + 1
        expected = {landed[0] + timedelta(days=n) for n in range(span)}
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

    return _check


def _count_check(feed: SearchFeed, asset: dg.AssetsDefinition) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset,
        name=f"{feed.entity}_landed_match_api_total_count",
        description=(
            f"For every landed partition and shop, the distinct {feed.entity} landed equal the "
            "API's own total_count: a mismatch means pages were lost or the API's paging changed "
            "under us. Distinct ids, as a record changed mid-walk may be served twice."
        ),
    )
    def _check() -> dg.AssetCheckResult:
        raw_dir = linkstar_paths().raw_dir
        mismatches = []
        for partition_key, pages in landed_feed_pages_by_partition(raw_dir, feed.entity).items():
            landed_by_shop: dict[str, set[str]] = {}
            total_by_shop: dict[str, int] = {}
            for page in pages:
                shop = page.shop_id or "?"
                ids = record_ids_in_page(page, feed.list_key, feed.id_field)
                landed_by_shop.setdefault(shop, set()).update(ids)
                if page.page_number == 1:
                    data = json.loads(page.body)["data"]
                    total_by_shop[shop] = int(data.get("total_count") or 0)
            for shop, ids in landed_by_shop.items():
                landed = len(ids)
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

    return _check


_FEED_ASSETS = {
    "orders": tiktok_shop_assets.orders,
    "returns": tiktok_shop_assets.returns,
    "cancellations": tiktok_shop_assets.cancellations,
}
feed_checks = [
    make(feed, _FEED_ASSETS[feed.entity])
    for feed in SEARCH_FEEDS
    for make in (_no_gaps_check, _count_check)
]
