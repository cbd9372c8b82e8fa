"""Pages that would land less than the API promised, against the sandbox's paging fault knobs
over real HTTP on 127.0.0.1, for every client that pages (TikTok Shop, TikTok Ads, Lingxing).

A page without its list while records are owed is refused with an error naming endpoint,
page and request id (after being asked for again, like a body cut short); a walk whose pages
bring nothing new (a page token that changes while the records repeat) stops with an error
instead of running on, after asking the page before for another token: a token that goes
wrong now and then costs two requests, not the walk. Expected ids come from the sandbox's
dataset, not from the clients.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from connectors.erp_api.client import ErpApiCallError, ErpApiClient, ErpApiSettings
from connectors.rate_limit import RateLimiter
from connectors.retry import RetryPolicy
from connectors.sandbox_defaults import sandbox_environment
from connectors.tiktok_ads import TikTokAdsClient, TikTokAdsResponseError, TikTokAdsSettings
from connectors.tiktok_shop import TikTokShopClient, TikTokShopResponseError, TikTokShopSettings
from connectors.tiktok_shop_service import (
    CONVERSATIONS_PATH,
    MESSAGES_LIST_KEY,
    TikTokShopServiceClient,
)

# The TikTok Shop client tests' window and sandbox: the same orders, the same expected ids.
from tests.integration.connectors.test_tiktok_shop_client import (
    AS_OF,
    SEARCH_PATH,
    WINDOW_GE,
    WINDOW_LT,
    sandbox,
)

FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=0.01)


def shop_client(base_url: str, retry: RetryPolicy = FAST_RETRY) -> TikTokShopClient:
    settings = TikTokShopSettings.from_env(environ=sandbox_environment(base_url))
    return TikTokShopClient(settings, retry=retry, limiter_for=lambda key: RateLimiter(0))


def window_ids(sb) -> set[str]:
    """Ground truth: the orders whose update_time falls in the window, at the data clock."""
    views = (order.api_view(sb.as_of()) for order in sb.dataset.served_orders)
    return {v["id"] for v in views if v is not None and WINDOW_GE <= v["update_time"] < WINDOW_LT}


def fetch_ids(client: TikTokShopClient, page_size: int = 20) -> set[str]:
    ids = set()
    for shop in client.get_authorized_shops().data["shops"]:
        pages = client.search_orders(
            shop["cipher"], update_time_ge=WINDOW_GE, update_time_lt=WINDOW_LT, page_size=page_size
        )
        ids |= {order["id"] for page in pages for order in page.data["orders"]}
    return ids


# ----------------------------------------------------------------------------- TikTok Shop


@pytest.mark.parametrize("fault", ["missing", "not_list"])
def test_a_shop_page_without_its_orders_list_is_refused_naming_endpoint_page_and_request_id(
    fault,
):
    with sandbox(list_fault_rate=1.0, list_fault=fault) as sb:
        client = shop_client(sb.base_url)
        cipher = client.get_authorized_shops().data["shops"][0]["cipher"]
        with pytest.raises(TikTokShopResponseError) as caught:
            list(client.search_orders(cipher, update_time_ge=WINDOW_GE, update_time_lt=WINDOW_LT))
        searches = [e for e in sb.request_log if e[1] == SEARCH_PATH]

    message = str(caught.value)
    assert f"POST {SEARCH_PATH} page 1" in message
    assert "`orders`" in message and "page_token" in message
    assert re.search(r"request_id \S+\)", message) and caught.value.request_id
    # Asked for again like a body cut short, then refused.
    assert len(searches) == FAST_RETRY.max_attempts


def test_shop_pages_missing_their_list_now_and_then_are_fetched_again_and_lose_nothing():
    with sandbox(list_fault_rate=0.3) as sb:
        fetched = fetch_ids(shop_client(sb.base_url, RetryPolicy(12, 0.001, 0.01)))
        truth = window_ids(sb)
    assert truth and fetched == truth


@pytest.mark.parametrize(
    "search, list_key",
    [
        ("search_returns", "return_orders"),
        ("search_cancellations", "cancellations"),
        ("search_products", "products"),
    ],
)
def test_every_shop_search_refuses_a_page_without_its_list(search, list_key):
    """Over every shop: one with nothing to list may leave the list out (nothing is owed);
    the others must be refused."""
    with sandbox(list_fault_rate=1.0, start_date=date(2026, 10, 1), orders_per_shop_day=5) as sb:
        client = shop_client(sb.base_url)
        refused, accepted = [], []
        for shop in client.get_authorized_shops().data["shops"]:
            try:
                pages = list(getattr(client, search)(shop["cipher"]))
            except TikTokShopResponseError as error:
                refused.append(str(error))
            else:
                accepted.extend(pages)
    assert refused and all(f"`{list_key}`" in message for message in refused)
    assert all(page.data.get("total_count") == 0 for page in accepted)


def test_a_page_token_that_changes_while_the_records_repeat_stops_paging():
    with sandbox(churn_page_token_rate=1.0) as sb:
        client = shop_client(sb.base_url)
        cipher = client.get_authorized_shops().data["shops"][0]["cipher"]
        started = time.monotonic()
        with pytest.raises(TikTokShopResponseError) as caught:
            for _ in client.search_orders(
                cipher, update_time_ge=WINDOW_GE, update_time_lt=WINDOW_LT, page_size=10
            ):
                assert time.monotonic() - started < 20, "paging never stopped"
        searches = [e for e in sb.request_log if e[1] == SEARCH_PATH]

    message = str(caught.value)
    assert f"POST {SEARCH_PATH} page 2" in message and "no record not already seen" in message
    retries = FAST_RETRY.max_attempts - 1
    assert f"page 1 asked again {retries} time(s)" in message
    # Page 1, the page its token led to, then page 1 again and where each new token led.
    assert len(searches) == 2 + 2 * retries


def test_page_tokens_that_change_now_and_then_cost_a_request_and_lose_nothing():
    """A share of pages answer a token that leads back to the first page: the page before
    is asked again for another token; every order arrives, no page twice."""
    with sandbox(churn_page_token_rate=0.3, shop_count=2) as sb:
        client = shop_client(sb.base_url, RetryPolicy(12, 0.001, 0.01))
        pages = [
            page
            for shop in client.get_authorized_shops().data["shops"]
            for page in client.search_orders(
                shop["cipher"], update_time_ge=WINDOW_GE, update_time_lt=WINDOW_LT, page_size=20
            )
        ]
        searches = [e for e in sb.request_log if e[1] == SEARCH_PATH]
        truth = window_ids(sb)

    versions = [
        (order["id"], order["update_time"]) for page in pages for order in page.data["orders"]
    ]
    assert truth and {order_id for order_id, _ in versions} == truth
    assert len(versions) == len(set(versions)), "a page was yielded twice"
    assert len(searches) > len(pages), "no token led back to the first page"


# ----------------------------------------------------------------------------- TikTok Ads


def ads_client(base_url: str) -> TikTokAdsClient:
    settings = TikTokAdsSettings.from_env(environ=sandbox_environment(base_url))
    return TikTokAdsClient(
        replace(settings, page_size=3), retry=FAST_RETRY, limiter=RateLimiter(0), timeout=10.0
    )


def first_advertiser(client: TikTokAdsClient) -> str:
    return client.advertiser_ids()[0]


@pytest.mark.parametrize("fault", ["missing", "not_list"])
def test_an_ads_page_without_its_list_is_refused_naming_endpoint_page_and_request_id(fault):
    with sandbox(list_fault_rate=1.0, list_fault=fault) as sb:
        client = ads_client(sb.base_url)
        with pytest.raises(TikTokAdsResponseError) as caught:
            list(client.iter_ads(first_advertiser(client)))

    message = str(caught.value)
    assert "/open_api/v1.3/ad/get/ page 1" in message and "`list`" in message
    assert caught.value.request_id and caught.value.request_id in message


def test_ads_pages_that_repeat_the_first_pages_rows_are_refused():
    with sandbox(ads_repeat_pages=True) as sb:
        client = ads_client(sb.base_url)
        with pytest.raises(TikTokAdsResponseError, match="page 2 .*no record not already seen"):
            list(client.iter_ads(first_advertiser(client)))


# ----------------------------------------------------------------------------- Lingxing ERP


def erp_client(base_url: str) -> ErpApiClient:
    env = sandbox_environment(base_url)
    env["ERP_API_PAGE_SIZE"] = "50"
    settings = ErpApiSettings.from_env(env)
    assert settings is not None
    return ErpApiClient(
        settings, retry=FAST_RETRY, rng=random.Random(1), limiter_for=lambda path: RateLimiter(0)
    )


@pytest.mark.parametrize("fault", ["missing", "not_list"])
def test_an_erp_page_without_its_list_is_refused_naming_endpoint_offset_and_request_id(fault):
    start, end = int(datetime(2026, 11, 10, tzinfo=UTC).timestamp()), int(AS_OF.timestamp())
    with sandbox(list_fault_rate=1.0, list_fault=fault) as sb:
        sb.lingxing_api.set_rate_limit(10_000, 10_000)  # only the list fault fails a call
        with pytest.raises(ErpApiCallError) as caught:
            list(erp_client(sb.base_url).order_pages(start, end))

    message = str(caught.value)
    assert "/pb/mp/order/v2/list" in message and "offset 0" in message
    assert caught.value.request_id and caught.value.request_id in message


def test_conversations_and_messages_missing_their_list_now_and_then_lose_nothing(caplog):
    """The customer-service list and its messages report no total: a page of them without
    its list (the only page of a shop or of a conversation included) is asked for again,
    never taken as none. Every conversation active since the window's start and every message
    of each arrive, as the sandbox's service model holds them."""
    since = WINDOW_GE
    with sandbox(list_fault_rate=0.3) as sb:
        service = TikTokShopServiceClient(shop_client(sb.base_url, RetryPolicy(12, 0.001, 0.01)))
        as_of = sb.as_of()
        expected, fetched = {}, {}
        for shop in sb.dataset.shops:
            for conversation in sb.service.conversations.get(shop.shop_id, []):
                if (conversation.update_time_at(as_of) or 0) >= since:
                    messages = conversation.visible_messages(as_of)
                    expected[conversation.conversation_id] = sorted(m.message_id for m in messages)
            for page in service.conversations_since(shop.cipher, since):
                for conversation in page.recent:
                    pages = service.messages(shop.cipher, conversation["id"])
                    ids = [m["id"] for p in pages for m in p.data.get(MESSAGES_LIST_KEY) or []]
                    fetched[conversation["id"]] = sorted(ids)
    assert expected and fetched == expected
    # The faults came up on both walks, single pages included, and were asked for again.
    asked_again = [
        r.getMessage() for r in caplog.records if "page without its list" in r.getMessage()
    ]
    assert any("/messages page 1" in m for m in asked_again), asked_again
    assert any(f"{CONVERSATIONS_PATH} page" in m for m in asked_again), asked_again
