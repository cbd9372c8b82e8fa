"""TikTok Shop content ingestion: shop/video/LIVE analytics and affiliate orders, landed raw.

Partitioned like orders (`order_update_days`), so the refresh job runs them over the same
range in the same run. For the analytics a partition is the SHOP-LOCAL date asked for: a run
over days [start, end] re-pulls `LINKSTAR_LOOKBACK_DAYS` days before `start` as well, because
the platform restates recent days (late cancellations), and staging keeps the newest fetch
of each (shop, day) / (video, day) / session.

- video performance: the list aggregates its date window, so per-day rows take one call per
  shop and day; each day lands in its own file `video_performance_daily/<day>.jsonl.gz`;
- shop performance and LIVE sessions take the whole window in one call per shop (daily
  intervals; sessions by local start day) and land as one file keyed by the run's last day;
- affiliate orders filter on `update_time` (Unix seconds, exclusive upper bound) over the
  run's UTC window plus the look-back, one file keyed by the run's last day; staging keeps
  the latest `update_time` per order.
"""

from datetime import UTC, date, datetime, timedelta
from functools import partial

import dagster as dg

from connectors.tiktok_shop_content import LIST_KEYS, TikTokShopContentClient, records
from linkstar_pipeline.defs.tiktok_shop import assets as shop_assets
from linkstar_pipeline.defs.tiktok_shop.landing import (
    SOURCE,
    PageContents,
    land_shop_pages,
    landed_shops,
)
from linkstar_pipeline.defs.tiktok_shop.resources import TikTokShopApiResource
from linkstar_pipeline.lib.paths import linkstar_paths
from linkstar_pipeline.lib.raw_landing import RawFile
from linkstar_pipeline.lib.settings import PipelineSettings

GROUP = "tiktok_shop"

# Fields a record must carry (by API name), checked on every page before landing; the
# records sit in nested lists (`LIST_KEYS`), read with the content client's own reader, and
# the first field names a record in errors (a day for shop intervals).
REQUIRED = {
    "shop_performance_daily": ("start_date", "gmv"),
    "video_performance_daily": ("id", "views", "gmv"),
    "live_sessions": ("id", "start_time", "end_time", "sales_performance"),
    "affiliate_orders": ("id", "update_time", "skus"),
}
_ENTITY_RECORDS = {
    "shop_performance_daily": "shop_performance",
    "video_performance_daily": "video_performance",
    "live_sessions": "live_sessions",
    "affiliate_orders": "affiliate_orders",
}
_CONTENTS = {
    entity: PageContents(
        LIST_KEYS[records_entity],
        REQUIRED[entity],
        id_field=REQUIRED[entity][0],
        records_of=partial(records, records_entity),
    )
    for entity, records_entity in _ENTITY_RECORDS.items()
}


def _days(context: dg.AssetExecutionContext) -> tuple[date, date]:
    """(first day to pull, last day) of the run: the partition range plus the look-back."""
    window = context.partition_time_window
    last = (window.end - timedelta(days=1)).date()
    first = window.start.date() - timedelta(days=PipelineSettings.from_env().lookback_days)
    return first, last


def _result(entity: str, files: dict[str, int], pages: int, shops: int) -> dg.MaterializeResult:
    return dg.MaterializeResult(
        metadata={
            "records": sum(files.values()),
            "pages": pages,
            "shops": shops,
            "files": dg.MetadataValue.json(files),
            "raw_dir": dg.MetadataValue.path(str(linkstar_paths().raw_dir / SOURCE / entity)),
        }
    )


@shop_assets.shop_landing_asset(
    "shop_performance_daily",
    "The platform's own shop view per shop-local day (GMV, orders, buyers, funnel), "
    "GET analytics shop performance with granularity 1D; re-pulls the look-back days.",
)
def shop_performance_daily(
    context: dg.AssetExecutionContext, tiktok_shop: TikTokShopApiResource
) -> dg.MaterializeResult:
    return _window_feed(context, tiktok_shop, "shop_performance_daily")


@shop_assets.shop_landing_asset(
    "live_sessions",
    "LIVE sessions with host, times, viewers and sales, by shop-local start day "
    "(GET analytics shop_lives performance); re-pulls the look-back days.",
)
def live_sessions(
    context: dg.AssetExecutionContext, tiktok_shop: TikTokShopApiResource
) -> dg.MaterializeResult:
    return _window_feed(context, tiktok_shop, "live_sessions")


@shop_assets.shop_landing_asset(
    "affiliate_orders",
    "Orders sold by creators with creator, content and commission (POST affiliate_seller "
    "orders search on update_time, exclusive upper bound); re-pulls the look-back days.",
)
def affiliate_orders(
    context: dg.AssetExecutionContext, tiktok_shop: TikTokShopApiResource
) -> dg.MaterializeResult:
    return _window_feed(context, tiktok_shop, "affiliate_orders")


def _window_feed(
    context: dg.AssetExecutionContext, tiktok_shop: TikTokShopApiResource, entity: str
) -> dg.MaterializeResult:
    """One file for the run's whole window, keyed by its last day."""
    client = TikTokShopContentClient(tiktok_shop.client())
    first, last = _days(context)
    key = last.isoformat()
    raw_dir = linkstar_paths().raw_dir
    shop_list = landed_shops(raw_dir)
    window_file = RawFile(SOURCE, entity, key)
    for shop in shop_list:
        if entity == "shop_performance_daily":
            responses = [client.shop_performance(shop.cipher, first, last)]
        elif entity == "live_sessions":
            responses = client.live_sessions(shop.cipher, first, last)
        else:
            ge = _utc_seconds(first)
            lt = _utc_seconds(last + timedelta(days=1))
            responses = client.affiliate_orders(shop.cipher, ge, lt)
        land_shop_pages(window_file, responses, _CONTENTS[entity], shop.shop_id)
    path = window_file.write(raw_dir, key)
    count, pages = window_file.records, len(window_file.pages)
    context.log.info(f"{entity} {first}..{last}: {count} records, {pages} pages to {path}")
    return _result(entity, {key: count}, pages, len(shop_list))


@shop_assets.shop_landing_asset(
    "video_performance_daily",
    "Per video and shop-local day: views, engagement, clicks, attributed orders and GMV "
    "(GET analytics shop_videos performance, one call per shop and day); re-pulls the "
    "look-back days.",
)
def video_performance_daily(
    context: dg.AssetExecutionContext, tiktok_shop: TikTokShopApiResource
) -> dg.MaterializeResult:
    client = TikTokShopContentClient(tiktok_shop.client())
    first, last = _days(context)
    raw_dir = linkstar_paths().raw_dir
    shop_list = landed_shops(raw_dir)
    files: dict[str, int] = {}
    total_pages = 0
    day = first
    while day <= last:
        key = day.isoformat()
        day_file = RawFile(SOURCE, "video_performance_daily", key)
        for shop in shop_list:
            responses = client.video_performance(shop.cipher, day)
            land_shop_pages(day_file, responses, _CONTENTS["video_performance_daily"], shop.shop_id)
        day_file.write(raw_dir, key)
        files[key] = day_file.records
        total_pages += len(day_file.pages)
        day += timedelta(days=1)
    context.log.info(f"video_performance_daily {first}..{last}: {sum(files.values())} video days")
    return _result("video_performance_daily", files, total_pages, len(shop_list))


def _utc_seconds(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
