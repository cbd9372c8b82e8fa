"""TikTok Shop settlement: statements with their transactions, payouts and unsettled orders,
landed raw like every other TikTok Shop page.

Statements and payments are partitioned by the UTC day they were cut or created (the same
daily partitions as orders, so the run's look-back re-fetches recent days and picks up a
payout moving from PROCESSING to PAID). A statement never changes once cut, except for its
payment status; late adjustments arrive as transactions of later statements. Unsettled
orders are a point-in-time list, so they are a snapshot per run.
"""

import dagster as dg

from connectors import tiktok_shop_finance as finance
from linkstar_pipeline.defs.tiktok_shop import assets as shop_assets
from linkstar_pipeline.defs.tiktok_shop.landing import (
    SOURCE,
    PageContents,
    land_shop_pages,
    landed_shops,
)
from linkstar_pipeline.defs.tiktok_shop.partitions import utc_days
from linkstar_pipeline.defs.tiktok_shop.resources import TikTokShopApiResource
from linkstar_pipeline.lib.clock import pipeline_today
from linkstar_pipeline.lib.paths import linkstar_paths
from linkstar_pipeline.lib.raw_landing import RawFile

STATEMENTS = "statements"
STATEMENT_TRANSACTIONS = "statement_transactions"
PAYMENTS = "payments"
UNSETTLED_ORDERS = "unsettled_orders"
# What each endpoint's pages must hold, checked before any file is replaced.
_CONTENTS = {
    STATEMENTS: PageContents(
        finance.STATEMENTS_LIST_KEY, ("id", "statement_time", "currency", "settlement_amount")
    ),
    STATEMENT_TRANSACTIONS: PageContents(
        finance.TRANSACTIONS_LIST_KEY, ("id", "settlement_amount")
    ),
    PAYMENTS: PageContents(finance.PAYMENTS_LIST_KEY, ("id", "create_time", "status", "amount")),
    # The list comes under either of two keys, decided per page.
    UNSETTLED_ORDERS: PageContents(finance.unsettled_list_key, ("order_id",)),
}


@shop_assets.shop_landing_asset(
    "finance_statements",
    "Daily settlement statements cut on each UTC day (GET /finance/202309/statements) and "
    "every transaction of each (GET .../statements/{id}/statement_transactions), every "
    "shop, landed raw: statements/<day> and statement_transactions/<day>.",
)
def finance_statements(
    context: dg.AssetExecutionContext, tiktok_shop: TikTokShopApiResource
) -> dg.MaterializeResult:
    client = tiktok_shop.client()
    raw_dir = linkstar_paths().raw_dir
    shop_list = landed_shops(raw_dir)
    per_partition = {}
    for partition_key, ge, lt in utc_days(context.partition_time_window):
        statements = RawFile(SOURCE, STATEMENTS, partition_key)
        transactions = RawFile(SOURCE, STATEMENT_TRANSACTIONS, partition_key)
        for shop in shop_list:
            pages = finance.search_statements(
                client, shop.cipher, statement_time_ge=ge, statement_time_lt=lt
            )
            for statement in land_shop_pages(
                statements, pages, _CONTENTS[STATEMENTS], shop.shop_id
            ):
                land_shop_pages(
                    transactions,
                    finance.get_statement_transactions(client, shop.cipher, str(statement["id"])),
                    _CONTENTS[STATEMENT_TRANSACTIONS],
                    shop.shop_id,
                )
        # Transactions first: a statement file never points at transactions not yet landed.
        transactions.write(raw_dir, partition_key)
        statements.write(raw_dir, partition_key)
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


@shop_assets.shop_landing_asset(
    "finance_payments",
    "Payouts created on each UTC day (GET /finance/202309/payments), every shop, landed "
    "raw as payments/<day>; the look-back re-fetch picks up PROCESSING -> PAID.",
)
def finance_payments(
    context: dg.AssetExecutionContext, tiktok_shop: TikTokShopApiResource
) -> dg.MaterializeResult:
    client = tiktok_shop.client()
    raw_dir = linkstar_paths().raw_dir
    shop_list = landed_shops(raw_dir)
    per_partition = {}
    for partition_key, ge, lt in utc_days(context.partition_time_window):
        payments = RawFile(SOURCE, PAYMENTS, partition_key)
        for shop in shop_list:
            pages = finance.search_payments(
                client, shop.cipher, create_time_ge=ge, create_time_lt=lt
            )
            land_shop_pages(payments, pages, _CONTENTS[PAYMENTS], shop.shop_id)
        payments.write(raw_dir, partition_key)
        per_partition[partition_key] = payments.records
    context.log.info(f"payments: {sum(per_partition.values())} from {len(shop_list)} shops")
    return dg.MaterializeResult(
        metadata={
            "payments_landed": sum(per_partition.values()),
            "shops": len(shop_list),
            "per_partition": dg.MetadataValue.json(per_partition),
        }
    )


@shop_assets.shop_landing_asset(
    "unsettled_orders",
    "Orders not yet settled, with estimated amounts (GET /finance/202309/orders/unsettled): "
    "a snapshot per run, landed raw as unsettled_orders/<fetch day>.jsonl.gz.",
    daily=False,
)
def unsettled_orders(
    context: dg.AssetExecutionContext, tiktok_shop: TikTokShopApiResource
) -> dg.MaterializeResult:
    """A snapshot: the list only says what is unsettled now, so there is no day to partition by."""
    client = tiktok_shop.client()
    raw_dir = linkstar_paths().raw_dir
    shop_list = landed_shops(raw_dir)
    unsettled = RawFile(SOURCE, UNSETTLED_ORDERS)
    for shop in shop_list:
        pages = finance.get_unsettled_orders(client, shop.cipher)
        land_shop_pages(unsettled, pages, _CONTENTS[UNSETTLED_ORDERS], shop.shop_id)
    path = unsettled.write(raw_dir, pipeline_today().isoformat())
    context.log.info(f"unsettled orders: {unsettled.records} from {len(shop_list)} shops")
    return dg.MaterializeResult(
        metadata={
            "unsettled_orders": unsettled.records,
            "pages": len(unsettled.pages),
            "shops": len(shop_list),
            "raw_file": dg.MetadataValue.path(str(path)),
        }
    )
