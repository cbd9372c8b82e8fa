"""TikTok Shop settlement: statements with their transactions, payouts and unsettled orders,
landed raw like every other TikTok Shop page.

Statements and payments are partitioned by the UTC day they were cut or created (the same
daily partitions as orders, so the run's look-back re-fetches recent days and picks up a
payout moving from PROCESSING to PAID). A statement never changes once cut, except for its
payment status; late adjustments arrive as transactions of later statements. Unsettled
orders are a point-in-time list, so they are a snapshot per run.
"""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import dagster as dg

from connectors import tiktok_shop_finance as finance
from connectors.tiktok_shop import ApiResponse
from linkstar_pipeline.defs.tiktok_shop import assets as shop_assets
from linkstar_pipeline.defs.tiktok_shop.landing import SOURCE, LandedShop, landed_shops, raw_page
from linkstar_pipeline.defs.tiktok_shop.partitions import order_update_days
from linkstar_pipeline.defs.tiktok_shop.payloads import (
    PageOrigin,
    check_required_fields,
    records_in,
)
from linkstar_pipeline.defs.tiktok_shop.resources import TikTokShopApiResource
from linkstar_pipeline.lib.freshness import DAILY_FRESHNESS
from linkstar_pipeline.lib.paths import linkstar_paths
from linkstar_pipeline.lib.raw_landing import RawPage, raw_file_path, write_raw_pages

STATEMENTS = "statements"
STATEMENT_TRANSACTIONS = "statement_transactions"
PAYMENTS = "payments"
UNSETTLED_ORDERS = "unsettled_orders"
_REQUIRED = {
    STATEMENTS: ("id", "statement_time", "currency", "settlement_amount"),
    STATEMENT_TRANSACTIONS: ("id", "settlement_amount"),
    PAYMENTS: ("id", "create_time", "status", "amount"),
    UNSETTLED_ORDERS: ("order_id",),
}


class _Landing:
    """Pages and records of one entity collected for one file, checked as they arrive."""

    def __init__(self, entity: str, partition_key: str | None) -> None:
        self.entity, self.partition_key = entity, partition_key
        self.pages: list[RawPage] = []
        self.records = 0

    def add(
        self, responses: Iterable[ApiResponse], shop: LandedShop, list_key: str | None = None
    ) -> list[dict]:
        """Keep every page of `responses` for one shop; returns their records."""
        found: list[dict] = []
        for number, response in enumerate(responses, start=1):
            origin = PageOrigin(
                endpoint=f"{response.method} {response.path}",
                request_id=response.request_id,
                shop_id=shop.shop_id,
                partition_key=self.partition_key,
            )
            key = list_key or finance.unsettled_list_key(response)
            records = records_in(response.data, key, origin)
            check_required_fields(records, _REQUIRED[self.entity], key, origin)
            found.extend(records)
            self.pages.append(
                raw_page(
                    response,
                    self.entity,
                    number,
                    shop_id=shop.shop_id,
                    partition_key=self.partition_key,
                )
            )
        self.records += len(found)
        return found

    def write(self, file_key: str) -> str:
        path = raw_file_path(linkstar_paths().raw_dir, SOURCE, self.entity, file_key)
        write_raw_pages(path, self.pages)
        return str(path)


def _days(context: dg.AssetExecutionContext) -> Iterable[tuple[str, int, int]]:
    """(partition key, start, end) in Unix seconds for each UTC day of the run's window."""
    window = context.partition_time_window
    day = window.start.astimezone(UTC)
    while day < window.end:
        yield (
            day.strftime("%Y-%m-%d"),
            int(day.timestamp()),
            int((day + timedelta(days=1)).timestamp()),
        )
        day += timedelta(days=1)


@dg.asset(
    key=[SOURCE, "finance_statements"],
    deps=[shop_assets.shops],
    group_name=shop_assets.GROUP,
    kinds={"python", "json"},
    freshness_policy=DAILY_FRESHNESS,
    partitions_def=order_update_days,
    backfill_policy=dg.BackfillPolicy.single_run(),
    description=(
        "Daily settlement statements cut on each UTC day (GET /finance/202309/statements) and "
        "every transaction of each (GET .../statements/{id}/statement_transactions), every "
        "shop, landed raw: statements/<day> and statement_transactions/<day>."
    ),
)
def finance_statements(
    context: dg.AssetExecutionContext, tiktok_shop: TikTokShopApiResource
) -> dg.MaterializeResult:
    client = tiktok_shop.client()
    shop_list = landed_shops(linkstar_paths().raw_dir)
    per_partition = {}
    for partition_key, ge, lt in _days(context):
        statements = _Landing(STATEMENTS, partition_key)
        transactions = _Landing(STATEMENT_TRANSACTIONS, partition_key)
        for shop in shop_list:
            pages = finance.search_statements(
                client, shop.cipher, statement_time_ge=ge, statement_time_lt=lt
            )
            for statement in statements.add(pages, shop, finance.STATEMENTS_LIST_KEY):
                transactions.add(
                    finance.get_statement_transactions(client, shop.cipher, str(statement["id"])),
                    shop,
                    finance.TRANSACTIONS_LIST_KEY,
                )
        # Transactions first: a statement file never points at transactions not yet landed.
        transactions.write(partition_key)
        statements.write(partition_key)
        per_partition[partition_key] = {
            STATEMENTS: statements.records,
            STATEMENT_TRANSACTIONS: transactions.records,
        }
        context.log.info(
            f"finance {partition_key}: {statements.records} statements, "
            f"{transactions.records} transactions from {len(shop_list)} shops"
        )
    return dg.MaterializeResult(
        metadata={
            "statements_landed": sum(p[STATEMENTS] for p in per_partition.values()),
            "transactions_landed": sum(p[STATEMENT_TRANSACTIONS] for p in per_partition.values()),
            "shops": len(shop_list),
            "per_partition": dg.MetadataValue.json(per_partition),
        }
    )


@dg.asset(
    key=[SOURCE, "finance_payments"],
    deps=[shop_assets.shops],
    group_name=shop_assets.GROUP,
    kinds={"python", "json"},
    freshness_policy=DAILY_FRESHNESS,
    partitions_def=order_update_days,
    backfill_policy=dg.BackfillPolicy.single_run(),
    description=(
        "Payouts created on each UTC day (GET /finance/202309/payments), every shop, landed "
        "raw as payments/<day>; the look-back re-fetch picks up PROCESSING -> PAID."
    ),
)
def finance_payments(
    context: dg.AssetExecutionContext, tiktok_shop: TikTokShopApiResource
) -> dg.MaterializeResult:
    client = tiktok_shop.client()
    shop_list = landed_shops(linkstar_paths().raw_dir)
    per_partition = {}
    for partition_key, ge, lt in _days(context):
        payments = _Landing(PAYMENTS, partition_key)
        for shop in shop_list:
            pages = finance.search_payments(
                client, shop.cipher, create_time_ge=ge, create_time_lt=lt
            )
            payments.add(pages, shop, finance.PAYMENTS_LIST_KEY)
        payments.write(partition_key)
        per_partition[partition_key] = payments.records
    context.log.info(f"payments: {sum(per_partition.values())} from {len(shop_list)} shops")
    return dg.MaterializeResult(
        metadata={
            "payments_landed": sum(per_partition.values()),
            "shops": len(shop_list),
            "per_partition": dg.MetadataValue.json(per_partition),
        }
    )


@dg.asset(
    key=[SOURCE, "unsettled_orders"],
    deps=[shop_assets.shops],
    group_name=shop_assets.GROUP,
    kinds={"python", "json"},
    freshness_policy=DAILY_FRESHNESS,
    description=(
        "Orders not yet settled, with estimated amounts (GET /finance/202309/orders/unsettled): "
        "a snapshot per run, landed raw as unsettled_orders/<fetch day>.jsonl.gz."
    ),
)
def unsettled_orders(
    context: dg.AssetExecutionContext, tiktok_shop: TikTokShopApiResource
) -> dg.MaterializeResult:
    """A snapshot: the list only says what is unsettled now, so there is no day to partition by."""
    client = tiktok_shop.client()
    shop_list = landed_shops(linkstar_paths().raw_dir)
    unsettled = _Landing(UNSETTLED_ORDERS, None)
    for shop in shop_list:
        unsettled.add(finance.get_unsettled_orders(client, shop.cipher), shop)
    path = unsettled.write(datetime.now(UTC).date().isoformat())
    context.log.info(f"unsettled orders: {unsettled.records} from {len(shop_list)} shops")
    return dg.MaterializeResult(
        metadata={
            "unsettled_orders": unsettled.records,
            "pages": len(unsettled.pages),
            "shops": len(shop_list),
            "raw_file": dg.MetadataValue.path(path),
        }
    )
