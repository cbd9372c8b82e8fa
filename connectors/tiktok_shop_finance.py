"""TikTok Shop finance (settlement) endpoints: statements, their transactions, payments and
unsettled orders. Each endpoint's quirks live here; signing, pacing, retries and the envelope
are `TikTokShopClient`'s.

From the reference: GET endpoints, filters in the query, page size 1-100, oldest first,
statements cut daily at 00:00 UTC, amounts as decimal strings in the settlement currency.
From public clients (not the reference; isolated here): statements filter on
`statement_time_ge`/`statement_time_lt` and sort on `statement_time`; statement transactions
accept only `sort_field=order_create_time`; payments filter on `create_time_ge`/`_lt`;
unsettled orders are listed under `data.transactions` in the newer version and the
202309 path is the reference's, so both list keys are read (`UNSETTLED_LIST_KEYS`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from connectors.tiktok_shop import (
    ApiResponse,
    TikTokShopClient,
    TikTokShopResponseError,
    unix_seconds,
)

STATEMENTS_PATH = "/finance/202309/statements"
PAYMENTS_PATH = "/finance/202309/payments"
UNSETTLED_ORDERS_PATH = "/finance/202309/orders/unsettled"
TRANSACTIONS_PATH_TEMPLATE = STATEMENTS_PATH + "/{statement_id}/statement_transactions"
FINANCE_PAGE_SIZE_LIMITS = (1, 100)
STATEMENTS_LIST_KEY = "statements"
TRANSACTIONS_LIST_KEY = "statement_transactions"
PAYMENTS_LIST_KEY = "payments"
UNSETTLED_LIST_KEYS = ("transactions", "orders")


def statement_transactions_path(statement_id: str) -> str:
    """The per-statement path; ids are digit strings, anything else is refused before sending."""
    if not isinstance(statement_id, str) or not statement_id.isdigit():
        raise ValueError(f"statement_id must be a string of digits, got {statement_id!r}")
    return TRANSACTIONS_PATH_TEMPLATE.format(statement_id=statement_id)


def search_statements(
    client: TikTokShopClient,
    shop_cipher: str,
    *,
    statement_time_ge: int,
    statement_time_lt: int,
    page_size: int = 100,
) -> Iterator[ApiResponse]:
    """Every page of the daily statements cut in [ge, lt) (Unix seconds, upper bound exclusive)."""
    return _windowed_pages(
        client,
        STATEMENTS_PATH,
        STATEMENTS_LIST_KEY,
        shop_cipher,
        "statement_time",
        statement_time_ge,
        statement_time_lt,
        page_size,
    )


def get_statement_transactions(
    client: TikTokShopClient, shop_cipher: str, statement_id: str, *, page_size: int = 100
) -> Iterator[ApiResponse]:
    """Every page of one statement's transactions (orders, refunds, adjustments)."""
    return client.get_pages(
        statement_transactions_path(statement_id),
        shop_cipher,
        page_size=page_size,
        limits=FINANCE_PAGE_SIZE_LIMITS,
        list_key=TRANSACTIONS_LIST_KEY,
        params={"sort_field": "order_create_time", "sort_order": "ASC"},
        path_template=TRANSACTIONS_PATH_TEMPLATE,
    )


def search_payments(
    client: TikTokShopClient,
    shop_cipher: str,
    *,
    create_time_ge: int,
    create_time_lt: int,
    page_size: int = 100,
) -> Iterator[ApiResponse]:
    """Every page of payouts created in [ge, lt)."""
    return _windowed_pages(
        client,
        PAYMENTS_PATH,
        PAYMENTS_LIST_KEY,
        shop_cipher,
        "create_time",
        create_time_ge,
        create_time_lt,
        page_size,
    )


def get_unsettled_orders(
    client: TikTokShopClient, shop_cipher: str, *, page_size: int = 100
) -> Iterator[ApiResponse]:
    """Every page of the orders not yet settled, as of now (a snapshot, no time filter)."""
    return client.get_pages(
        UNSETTLED_ORDERS_PATH,
        shop_cipher,
        page_size=page_size,
        limits=FINANCE_PAGE_SIZE_LIMITS,
        list_key=unsettled_list_key,
        params={"sort_field": "order_create_time", "sort_order": "ASC"},
    )


def _windowed_pages(
    client: TikTokShopClient,
    path: str,
    list_key: str,
    shop_cipher: str,
    time_field: str,
    ge: int,
    lt: int,
    page_size: int,
) -> Iterator[ApiResponse]:
    """A list filtered on `<time_field>_ge`/`_lt` and sorted on the same field, oldest first."""
    return client.get_pages(
        path,
        shop_cipher,
        page_size=page_size,
        limits=FINANCE_PAGE_SIZE_LIMITS,
        list_key=list_key,
        params={
            f"{time_field}_ge": unix_seconds(f"{time_field}_ge", ge),
            f"{time_field}_lt": unix_seconds(f"{time_field}_lt", lt),
            "sort_field": time_field,
            "sort_order": "ASC",
        },
    )


def unsettled_list_key(response: ApiResponse) -> str:
    """Which key holds the unsettled orders of this answer; an answer with neither is an error
    (an empty list under either key is fine)."""
    data: Mapping[str, Any] = response.data
    for key in UNSETTLED_LIST_KEYS:
        if key in data:
            return key
    if not data.get("total_count") and not data.get("next_page_token"):
        return UNSETTLED_LIST_KEYS[0]  # nothing unsettled: the list may be left out entirely
    raise TikTokShopResponseError(
        f"TikTok Shop {response.method} {response.path} (request_id "
        f"{response.request_id or 'none'}) has none of the list keys "
        f"{', '.join(UNSETTLED_LIST_KEYS)} in `data` (keys: {', '.join(sorted(data))}).",
        response.method,
        response.path,
        response.http_status,
        response.request_id,
    )
