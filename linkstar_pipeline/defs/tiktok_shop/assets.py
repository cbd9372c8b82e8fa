"""TikTok Shop ingestion assets: the API's pages land unchanged as files under raw/.

These assets never open the warehouse, so any number of partitions can load in parallel
while dbt (the warehouse's only writer) or a BI tool is busy.
"""

import logging
from collections import Counter
from datetime import UTC, datetime, timedelta

import dagster as dg

from connectors.tiktok_shop import TikTokShopClient
from linkstar_pipeline.defs.tiktok_shop.feeds import CANCELLATIONS, ORDERS, RETURNS, SearchFeed
from linkstar_pipeline.defs.tiktok_shop.landing import (
    SOURCE,
    LandedShop,
    landed_shops,
    raw_page,
    shops_file,
)
from linkstar_pipeline.defs.tiktok_shop.partitions import order_update_days
from linkstar_pipeline.defs.tiktok_shop.payloads import (
    REQUIRED_SHOP_FIELDS,
    PageOrigin,
    check_required_fields,
    records_in,
)
from linkstar_pipeline.defs.tiktok_shop.resources import TikTokShopApiResource
from linkstar_pipeline.lib.freshness import DAILY_FRESHNESS
from linkstar_pipeline.lib.paths import linkstar_paths
from linkstar_pipeline.lib.raw_landing import RawPage, raw_file_path, write_raw_pages

GROUP = "tiktok_shop"


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
    origin = PageOrigin(
        endpoint=f"{response.method} {response.path}", request_id=response.request_id
    )
    shop_records = records_in(response.data, "shops", origin)
    check_required_fields(shop_records, REQUIRED_SHOP_FIELDS, "shops", origin)
    if not shop_records:
        raise dg.Failure(
            f"{origin.describe()}: the authorization covers no shops; nothing to load."
        )
    path = shops_file(linkstar_paths().raw_dir)
    write_raw_pages(path, [raw_page(response, "shops", 1, shop_id=None, partition_key=None)])
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


def _utc_day_bounds(day_start: datetime) -> tuple[int, int]:
    start = day_start.astimezone(UTC)
    return int(start.timestamp()), int((start + timedelta(days=1)).timestamp())


def _fetch_update_day(
    feed: SearchFeed,
    client: TikTokShopClient,
    shop: LandedShop,
    partition_key: str,
    update_time_ge: int,
    update_time_lt: int,
    log: logging.Logger,
) -> tuple[list[RawPage], int, int]:
    """All pages of one feed, one shop, one update day; returns pages, records, API total."""
    pages: list[RawPage] = []
    records_seen = 0
    api_total = 0
    responses = feed.pages(client, shop.cipher, update_time_ge, update_time_lt)
    for page_number, response in enumerate(responses, start=1):
        origin = PageOrigin(
            endpoint=f"{response.method} {response.path}",
            request_id=response.request_id,
            shop_id=shop.shop_id,
            partition_key=partition_key,
        )
        records = records_in(response.data, feed.list_key, origin)
        check_required_fields(records, feed.required_fields, feed.list_key, origin, feed.id_field)
        outside = [
            r[feed.id_field]
            for r in records
            if not update_time_ge <= int(r["update_time"]) < update_time_lt
        ]
        if outside:
            log.warning(
                f"{origin.describe()}: {len(outside)} {feed.entity} outside the requested "
                "update window, kept"
            )
        if page_number == 1:
            api_total = int(response.data.get("total_count") or 0)
        records_seen += len(records)
        pages.append(
            raw_page(
                response,
                feed.entity,
                page_number,
                shop_id=shop.shop_id,
                partition_key=partition_key,
            )
        )
    return pages, records_seen, api_total


def _update_day_asset(feed: SearchFeed, description: str) -> dg.AssetsDefinition:
    """A daily-partitioned asset landing every shop's `feed` records changed on each UTC day."""

    @dg.asset(
        name=feed.entity,
        key_prefix=[SOURCE],
        deps=[shops],
        group_name=GROUP,
        kinds={"python", "json"},
        freshness_policy=DAILY_FRESHNESS,
        partitions_def=order_update_days,
        backfill_policy=dg.BackfillPolicy.single_run(),
        description=description,
    )
    def _asset(
        context: dg.AssetExecutionContext, tiktok_shop: TikTokShopApiResource
    ) -> dg.MaterializeResult:
        paths = linkstar_paths()
        client = tiktok_shop.client()
        shop_list = landed_shops(paths.raw_dir)
        window = context.partition_time_window
        per_partition: dict[str, dict[str, int]] = {}
        day = window.start
        while day < window.end:
            partition_key = day.strftime("%Y-%m-%d")
            ge, lt = _utc_day_bounds(day)
            day_pages: list[RawPage] = []
            landed = api_total = 0
            for shop in shop_list:
                pages, seen, shop_total = _fetch_update_day(
                    feed, client, shop, partition_key, ge, lt, context.log
                )
                day_pages.extend(pages)
                landed += seen
                api_total += shop_total
            # Written only after every shop's pages arrived: a failure leaves the old file whole.
            path = raw_file_path(paths.raw_dir, SOURCE, feed.entity, partition_key)
            write_raw_pages(path, day_pages)
            per_partition[partition_key] = {
                feed.entity: landed,
                "pages": len(day_pages),
                "api_total_count": api_total,
            }
            context.log.info(
                f"{feed.entity} {partition_key}: {landed} records in {len(day_pages)} pages "
                f"from {len(shop_list)} shops"
            )
            day += timedelta(days=1)
        return dg.MaterializeResult(
            metadata={
                "partitions": len(per_partition),
                f"{feed.entity}_landed": sum(p[feed.entity] for p in per_partition.values()),
                "pages_landed": sum(p["pages"] for p in per_partition.values()),
                "shops": len(shop_list),
                "per_partition": dg.MetadataValue.json(per_partition),
                "raw_dir": dg.MetadataValue.path(str(paths.raw_dir / SOURCE / feed.entity)),
            }
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


@dg.asset(
    key=[SOURCE, "products"],
    deps=[shops],
    group_name=GROUP,
    kinds={"python", "json"},
    freshness_policy=DAILY_FRESHNESS,
    description=(
        "Every shop's products with SKUs, prices and stock (POST /product/202309/products/search, "
        "no filter): a full snapshot per run, landed raw as products/<fetch day>.jsonl.gz."
    ),
)
def products(
    context: dg.AssetExecutionContext, tiktok_shop: TikTokShopApiResource
) -> dg.MaterializeResult:
    """A snapshot, not update-day partitions: most listings never change, so an update-time
    feed would never load a product last edited before the loaded history began. Catalogues
    are small next to orders; for a very large one the client's `search_products` takes the
    endpoint's inclusive `update_time_ge`/`update_time_le` bounds."""
    paths = linkstar_paths()
    client = tiktok_shop.client()
    pages: list[RawPage] = []
    records = 0
    shop_list = landed_shops(paths.raw_dir)
    for shop in shop_list:
        for number, response in enumerate(client.search_products(shop.cipher), start=1):
            origin = PageOrigin(
                endpoint=f"{response.method} {response.path}",
                request_id=response.request_id,
                shop_id=shop.shop_id,
            )
            found = records_in(response.data, "products", origin)
            check_required_fields(found, ("id", "create_time", "update_time"), "products", origin)
            records += len(found)
            pages.append(
                raw_page(response, "products", number, shop_id=shop.shop_id, partition_key=None)
            )
    fetch_day = datetime.now(UTC).date().isoformat()
    path = raw_file_path(paths.raw_dir, SOURCE, "products", fetch_day)
    write_raw_pages(path, pages)
    context.log.info(f"products: {records} from {len(shop_list)} shops to {path}")
    return dg.MaterializeResult(
        metadata={
            "products": records,
            "pages": len(pages),
            "shops": len(shop_list),
            "raw_file": dg.MetadataValue.path(str(path)),
        }
    )
