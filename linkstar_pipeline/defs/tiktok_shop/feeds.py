"""The TikTok Shop search endpoints loaded by update day, described once each.

Orders, returns and cancellations page, filter and land the same way (update_time window,
exclusive upper bound, page tokens); only the list key, the id field, the fields staging
needs and the client method differ. One asset factory and one set of checks serve them all.
(Products are a full snapshot instead: see `assets.products`.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from connectors.tiktok_shop import (
    CANCELLATION_SEARCH_PATH,
    ORDER_SEARCH_PATH,
    RETURN_SEARCH_PATH,
    ApiResponse,
    TikTokShopClient,
)


@dataclass(frozen=True)
class SearchFeed:
    """One update-time search endpoint as an ingestion feed."""

    entity: str  # asset key tail, raw folder name and check name prefix
    path: str
    list_key: str  # where the records sit in `data`
    id_field: str
    required_fields: tuple[str, ...]
    search: Callable[[TikTokShopClient], Callable[..., Iterator[ApiResponse]]]

    def pages(self, client: TikTokShopClient, cipher: str, ge: int, lt: int):
        return self.search(client)(cipher, update_time_ge=ge, update_time_lt=lt)


ORDERS = SearchFeed(
    entity="orders",
    path=ORDER_SEARCH_PATH,
    list_key="orders",
    id_field="id",
    required_fields=("id", "status", "create_time", "update_time"),
    search=lambda client: client.search_orders,
)
RETURNS = SearchFeed(
    entity="returns",
    path=RETURN_SEARCH_PATH,
    list_key="return_orders",
    id_field="return_id",
    required_fields=("return_id", "order_id", "return_status", "create_time", "update_time"),
    search=lambda client: client.search_returns,
)
CANCELLATIONS = SearchFeed(
    entity="cancellations",
    path=CANCELLATION_SEARCH_PATH,
    list_key="cancellations",
    id_field="cancel_id",
    required_fields=("cancel_id", "order_id", "cancel_status", "create_time", "update_time"),
    search=lambda client: client.search_cancellations,
)
SEARCH_FEEDS = (ORDERS, RETURNS, CANCELLATIONS)
