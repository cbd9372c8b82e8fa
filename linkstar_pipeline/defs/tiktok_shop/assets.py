"""TikTok Shop ingestion assets: the API's pages land unchanged as files under raw/.

These assets never open the warehouse, so any number of partitions can load in parallel
while dbt (the warehouse's only writer) or a BI tool is busy.
"""

import logging
from collections import Counter

import dagster as dg

from connectors.tiktok_shop import TikTokShopClient
from linkstar_pipeline.defs.tiktok_shop.feeds import CANCELLATIONS, ORDERS, RETURNS, SearchFeed
from linkstar_pipeline.defs.tiktok_shop.landing import (
    SOURCE,
    LandedShop,
    PageContents,
    check_page,
    checked_pages,
    land_shop_pages,
    landed_shops,
    partitions_metadata,
    shops_file,
)
from linkstar_pipeline.defs.tiktok_shop.partitions import order_update_days, utc_days
from linkstar_pipeline.defs.tiktok_shop.payloads import REQUIRED_SHOP_FIELDS
from linkstar_pipeline.defs.tiktok_shop.resources import TikTokShopApiResource
from linkstar_pipeline.lib.clock import pipeline_today
from linkstar_pipeline.lib.freshness import DAILY_FRESHNESS
from linkstar_pipeline.lib.paths import linkstar_paths
from linkstar_pipeline.lib.raw_landing import RawFile, write_raw_pages

GROUP = "tiktok_shop"
_PRODUCTS = PageContents("products", ("id", "create_time", "update_time"))


@dg.asset(
    key=[SOURCE, "shops"],
    group_name=GROUP,
    kinds={"python", "json"},
    freshness_policy=DAILY_FRESHNESS,
    description="Shops covered by the seller's authorization (GET /authorization/202309/shops), landed raw.",
)
def shops(
    context: dg.AssetExecutionContext, tiktok_shop: TikTokShopApiResource
) -> dg.MaterializeResult:
    response = tiktok_shop.client().get_authorized_shops()
    page = check_page(response, 1, PageContents("shops", REQUIRED_SHOP_FIELDS), shop_id=None)
    shop_records = page.records
    if not shop_records:
        raise dg.Failure(
            f"{page.origin.describe()}: the authorization covers no shops; nothing to load."
        )
    path = shops_file(linkstar_paths().raw_dir)
    write_raw_pages(path, [page.raw_page("shops", partition_key=None)])
    markets = Counter(str(shop["region"]) for shop in shop_records)
    context.log.info(f"Landed {len(shop_records)} shops ({dict(markets)}) to {path}")
    return dg.MaterializeResult(
        metadata={
            "shops": len(shop_records),
            "shops_per_market": dict(markets),
            "request_id": response.request_id,
            "raw_file": dg.MetadataValue.path(str(path)),
        }
    )


def shop_landing_asset(name: str, description: str, *, daily: bool = True):
    """The decorator of every TikTok Shop asset that lands each landed shop's pages: key
    tiktok_shop/<name>, after `shops`, in the ingestion group. `daily`: on the order update
    days, a backfill in one run (the asset walks the window itself); otherwise a snapshot
    per run, keyed by the fetch day."""
    daily_only = (
        {"partitions_def": order_update_days, "backfill_policy": dg.BackfillPolicy.single_run()}
        if daily
        else {}
    )
    return dg.asset(
        key=[SOURCE, name],
        deps=[shops],
        group_name=GROUP,
        kinds={"python", "json"},
        freshness_policy=DAILY_FRESHNESS,
        description=description,
        **daily_only,
    )


def _land_update_day(
    feed: SearchFeed,
    client: TikTokShopClient,
    shop: LandedShop,
    day_file: RawFile,
    update_time_ge: int,
    update_time_lt: int,
    log: logging.Logger,
) -> int:
    """All pages of one feed, one shop, one update day into `day_file`; returns the API's
    total count (of its first page)."""
    api_total = 0
    responses = feed.pages(client, shop.cipher, update_time_ge, update_time_lt)
    contents = PageContents(feed.list_key, feed.required_fields, feed.id_field)
    for page in checked_pages(responses, contents, shop.shop_id, day_file.partition_key):
        outside = [
            r[feed.id_field]
            for r in page.records
            if not update_time_ge <= int(r["update_time"]) < update_time_lt
        ]
        if outside:
            log.warning(
                f"{page.origin.describe()}: {len(outside)} {feed.entity} outside the requested "
                "update window, kept"
            )
        if page.number == 1:
            api_total = int(page.response.data.get("total_count") or 0)
        day_file.add(page.raw_page(feed.entity, day_file.partition_key), len(page.records))
    return api_total


def _update_day_asset(feed: SearchFeed, description: str) -> dg.AssetsDefinition:
    """A daily-partitioned asset landing every shop's `feed` records changed on each UTC day."""

    @shop_landing_asset(feed.entity, description)
    def _asset(
        context: dg.AssetExecutionContext, tiktok_shop: TikTokShopApiResource
    ) -> dg.MaterializeResult:
        raw_dir = linkstar_paths().raw_dir
        client = tiktok_shop.client()
        shop_list = landed_shops(raw_dir)
        per_partition: dict[str, dict[str, int]] = {}
        for partition_key, ge, lt in utc_days(context.partition_time_window):
            day_file = RawFile(SOURCE, feed.entity, partition_key)
            api_total = 0
            for shop in shop_list:
                api_total += _land_update_day(feed, client, shop, day_file, ge, lt, context.log)
            # Written only after every shop's pages arrived: a failure leaves the old file whole.
            day_file.write(raw_dir, partition_key)
            per_partition[partition_key] = {
                feed.entity: day_file.records,
                "pages": len(day_file.pages),
                "api_total_count": api_total,
            }
            context.log.info(
                f"{feed.entity} {partition_key}: {day_file.records} records in "
                f"{len(day_file.pages)} pages from {len(shop_list)} shops"
            )
        return dg.MaterializeResult(
            metadata=partitions_metadata(
                feed.entity, per_partition, feed.entity, len(shop_list), raw_dir
            )
        )

    return _asset


orders = _update_day_asset(
    ORDERS,
    "Orders changed on each UTC day (POST /order/202309/orders/search filtered on update_time, "
    "upper bound exclusive), every shop, landed raw: one file per partition, replaced on rerun.",
)
returns = _update_day_asset(
    RETURNS,
    "Return and refund requests changed on each UTC day (POST "
    "/return_refund/202309/returns/search on update_time), every shop, landed raw.",
)
cancellations = _update_day_asset(
    CANCELLATIONS,
    "Cancellations changed on each UTC day (POST /return_refund/202309/cancellations/search on "
    "update_time), every shop, landed raw.",
)


@shop_landing_asset(
    "products",
    "Every shop's products with SKUs, prices and stock (POST /product/202309/products/search, "
    "no filter): a full snapshot per run, landed raw as products/<fetch day>.jsonl.gz.",
    daily=False,
)
def products(
    context: dg.AssetExecutionContext, tiktok_shop: TikTokShopApiResource
) -> dg.MaterializeResult:
    """A snapshot, not update-day partitions: most listings never change, so an update-time
    feed would never load a product last edited before the loaded history began. Catalogues
    are small next to orders; for a very large one the client's `search_products` takes the
    endpoint's inclusive `update_time_ge`/`update_time_le` bounds."""
    raw_dir = linkstar_paths().raw_dir
    client = tiktok_shop.client()
    snapshot = RawFile(SOURCE, "products")
    shop_list = landed_shops(raw_dir)
    for shop in shop_list:
        land_shop_pages(snapshot, client.search_products(shop.cipher), _PRODUCTS, shop.shop_id)
    path = snapshot.write(raw_dir, pipeline_today().isoformat())
    context.log.info(f"products: {snapshot.records} from {len(shop_list)} shops to {path}")
    return dg.MaterializeResult(
        metadata={
            "products": snapshot.records,
            "pages": len(snapshot.pages),
            "shops": len(shop_list),
            "raw_file": dg.MetadataValue.path(str(path)),
        }
    )
