"""ERP open-API ingestion (领星 Lingxing-style): order pages by update day, inventory snapshots.

The API's pages land unchanged under raw/erp_api/ (one file per update day for orders, one per
fetch day for inventory, replaced on rerun); dbt's staging parses them. A seller without an
ERP API (ERP_API_BASE_URL unset) is normal: the assets land nothing, say "ERP API not
configured" in the log and `configured: false` in metadata, and the nightly refresh goes on.
"""

from datetime import UTC, timedelta

import dagster as dg

from connectors.erp_api.client import ErpApiClient, ErpApiConfigError, ErpApiPage
from linkstar_pipeline.defs.erp.api_resources import ErpApiResource
from linkstar_pipeline.defs.tiktok_shop.partitions import order_update_days
from linkstar_pipeline.lib.clock import pipeline_today
from linkstar_pipeline.lib.freshness import DAILY_FRESHNESS
from linkstar_pipeline.lib.paths import linkstar_paths
from linkstar_pipeline.lib.raw_landing import (
    RawPage,
    ensure_readable_feed,
    raw_file_path,
    write_raw_pages,
)

GROUP = "erp"
SOURCE = "erp_api"
ORDERS = "orders"
INVENTORY = "inventory"
# Each update day is fetched from this long before midnight: an order the ERP committed late
# (its update_time earlier than the moment it became visible) is still picked up, and
# staging keeps only the newest version of every order.
LOOKBACK = timedelta(hours=1)
NOT_CONFIGURED = (
    "ERP API not configured (ERP_API_BASE_URL is unset): nothing fetched. Set ERP_API_BASE_URL, "
    "ERP_API_APP_ID and ERP_API_APP_SECRET to load orders and inventory from the ERP's API."
)


def _client(erp_api: ErpApiResource) -> ErpApiClient | None:
    try:
        return erp_api.client()
    except ErpApiConfigError as error:
        raise dg.Failure(str(error)) from None


def _raw_page(page: ErpApiPage, entity: str, number: int, partition_key: str | None) -> RawPage:
    return RawPage(
        source=SOURCE,
        entity=entity,
        endpoint=f"{page.method} {page.path}",
        shop_id=None,
        partition_key=partition_key,
        page_number=number,
        request_id=page.request_id,
        fetched_at=page.fetched_at.replace(tzinfo=None).isoformat(timespec="microseconds"),
        http_status=page.http_status,
        request_query=dict(page.query),
        request_body=page.request_body,
        body=page.text,
    )


def _not_configured(context: dg.AssetExecutionContext, entity: str) -> dg.MaterializeResult:
    ensure_readable_feed(linkstar_paths().raw_dir / SOURCE / entity)
    context.log.warning(NOT_CONFIGURED)
    return dg.MaterializeResult(metadata={"configured": False, "pages_landed": 0})


@dg.asset(
    key=["erp", "api_orders"],
    group_name=GROUP,
    kinds={"python", "json"},
    freshness_policy=DAILY_FRESHNESS,
    partitions_def=order_update_days,
    backfill_policy=dg.BackfillPolicy.single_run(),
    description=(
        "ERP orders (TikTok platform) updated on each UTC day, from the ERP's open API "
        "(领星 POST /pb/mp/order/v2/list by update time, one hour of look-back), landed raw as "
        "raw/erp_api/orders/<day>.jsonl.gz; a rerun replaces the day's file. Lands nothing when "
        "ERP_API_BASE_URL is unset."
    ),
)
def api_orders(context: dg.AssetExecutionContext, erp_api: ErpApiResource) -> dg.MaterializeResult:
    client = _client(erp_api)
    if client is None:
        return _not_configured(context, ORDERS)
    raw_dir = linkstar_paths().raw_dir
    window = context.partition_time_window
    per_day: dict[str, dict[str, int]] = {}
    with client:
        day = window.start.astimezone(UTC)
        while day < window.end:
            key = day.strftime("%Y-%m-%d")
            start = int((day - LOOKBACK).timestamp())
            end = int((day + timedelta(days=1)).timestamp()) - 1  # the API's bounds are inclusive
            pages = list(client.order_pages(start, end))
            # Written only once every page arrived: a failure leaves the old file whole.
            write_raw_pages(
                raw_file_path(raw_dir, SOURCE, ORDERS, key),
                [_raw_page(p, ORDERS, n, key) for n, p in enumerate(pages, start=1)],
            )
            records = sum(len(p.rows) for p in pages)
            per_day[key] = {"orders": records, "pages": len(pages)}
            context.log.info(f"ERP API orders {key}: {records} orders in {len(pages)} pages")
            day += timedelta(days=1)
    return dg.MaterializeResult(
        metadata={
            "configured": True,
            "vendor": client.settings.vendor,
            "partitions": len(per_day),
            "orders_landed": sum(d["orders"] for d in per_day.values()),
            "pages_landed": sum(d["pages"] for d in per_day.values()),
            "token_requests": client.token_requests,
            "per_partition": dg.MetadataValue.json(per_day),
            "raw_dir": dg.MetadataValue.path(str(raw_dir / SOURCE / ORDERS)),
        }
    )


@dg.asset(
    key=["erp", "api_inventory"],
    group_name=GROUP,
    kinds={"python", "json"},
    freshness_policy=DAILY_FRESHNESS,
    description=(
        "Stock per SKU and warehouse from the ERP's open API (领星 POST "
        "/erp/sc/routing/data/local_inventory/inventoryDetails): a full snapshot per run, landed "
        "raw as raw/erp_api/inventory/<fetch day>.jsonl.gz. Lands nothing when ERP_API_BASE_URL "
        "is unset."
    ),
)
def api_inventory(
    context: dg.AssetExecutionContext, erp_api: ErpApiResource
) -> dg.MaterializeResult:
    client = _client(erp_api)
    if client is None:
        return _not_configured(context, INVENTORY)
    raw_dir = linkstar_paths().raw_dir
    key = pipeline_today().isoformat()
    with client:
        pages = list(client.inventory_pages())
    path = raw_file_path(raw_dir, SOURCE, INVENTORY, key)
    write_raw_pages(path, [_raw_page(p, INVENTORY, n, None) for n, p in enumerate(pages, start=1)])
    rows = sum(len(p.rows) for p in pages)
    context.log.info(f"ERP API inventory: {rows} SKU x warehouse rows in {len(pages)} pages")
    return dg.MaterializeResult(
        metadata={
            "configured": True,
            "vendor": client.settings.vendor,
            "rows_landed": rows,
            "pages_landed": len(pages),
            "snapshot_file": dg.MetadataValue.path(str(path)),
        }
    )
