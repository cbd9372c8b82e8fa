"""The TikTok Shop client against the sandbox over real HTTP on 127.0.0.1.

Expected order ids come from the sandbox's dataset (`Order.api_view(as_of)`), computed in
plain Python, so the client is checked against ground truth rather than against itself.
"""

from __future__ import annotations

import logging
import socket
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from connectors.retry import RetryPolicy
from connectors.sandbox_defaults import (
    TIKTOK_SHOP_SANDBOX_ACCESS_TOKEN,
    TIKTOK_SHOP_SANDBOX_APP_SECRET,
    TIKTOK_SHOP_SANDBOX_EXPIRED_ACCESS_TOKEN,
    sandbox_environment,
)
from connectors.tiktok_shop import (
    TikTokShopApiError,
    TikTokShopClient,
    TikTokShopSettings,
    TikTokShopUnreachableError,
)
from tests.conftest import sandbox_running

AS_OF = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)
START, END = date(2026, 11, 10), date(2026, 11, 16)
# One UTC day of updates; the upper bound is exclusive.
WINDOW_GE = int(datetime(2026, 11, 14, tzinfo=UTC).timestamp())
WINDOW_LT = int(datetime(2026, 11, 15, tzinfo=UTC).timestamp())
FAST_RETRY = RetryPolicy(max_attempts=8, base_delay=0.01, max_delay=0.2)
SHOPS_PATH = "/authorization/202309/shops"
SEARCH_PATH = "/order/202309/orders/search"


def sandbox(**overrides):
    """The shared test sandbox on this module's window and volume."""
    settings = {"as_of": AS_OF, "start_date": START, "end_date": END, "orders_per_shop_day": 40}
    return sandbox_running(**{**settings, **overrides})


def client_for(base_url: str, *, retry: RetryPolicy = FAST_RETRY, timeout: float = 10.0, **creds):
    settings = replace(TikTokShopSettings.from_env(environ=sandbox_environment(base_url)), **creds)
    return TikTokShopClient(settings, timeout=timeout, retry=retry)


def visible_ids(sb, ge: int = WINDOW_GE, lt: int = WINDOW_LT) -> set[str]:
    """Ground truth: orders whose update_time at the sandbox's data clock falls in [ge, lt)."""
    as_of = sb.as_of()
    ids = set()
    for order in sb.dataset.served_orders:
        view = order.api_view(as_of)
        if view is not None and ge <= view["update_time"] < lt:
            ids.add(view["id"])
    return ids


def fetch_window_ids(client: TikTokShopClient, page_size: int = 20) -> tuple[set[str], list]:
    """Every order id updated in the window, over every authorized shop; also the pages."""
    shops = client.get_authorized_shops().data["shops"]
    pages = [
        page
        for shop in shops
        for page in client.search_orders(
            shop["cipher"], update_time_ge=WINDOW_GE, update_time_lt=WINDOW_LT, page_size=page_size
        )
    ]
    ids = {order["id"] for page in pages for order in page.data.get("orders", [])}
    return ids, pages


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def clean_run() -> tuple[set[str], set[str]]:
    """Ids fetched with no throttling or faults, and the dataset's own answer."""
    with sandbox() as sb:
        fetched, _ = fetch_window_ids(client_for(sb.base_url))
        return fetched, visible_ids(sb)


# ---------------------------------------------------------------------------- happy path


def test_clean_run_fetches_exactly_the_orders_visible_in_the_window(clean_run):
    fetched, truth = clean_run

    assert truth, "the window should hold some orders"
    assert fetched == truth


def test_order_details_return_the_searched_orders_in_chunks_of_50():
    with sandbox() as sb:
        client = client_for(sb.base_url)
        shop = sb.dataset.shops[0]
        pages = list(
            client.search_orders(shop.cipher, update_time_ge=WINDOW_GE, update_time_lt=WINDOW_LT)
        )
        ids = [o["id"] for p in pages for o in p.data["orders"]]
        more = [
            o.order_id
            for o in sb.dataset.served_orders_for_shop(shop.shop_id)
            if o.order_id not in ids
        ]
        wanted = ids + more[: max(0, 60 - len(ids))]

        responses = client.get_order_details(shop.cipher, wanted)

        detail_calls = [e for e in sb.request_log if e[1] == "/order/202309/orders"]
        assert len(responses) == len(detail_calls) == -(-len(wanted) // 50)
        returned = {o["id"] for r in responses for o in r.data["orders"]}
        assert set(ids) <= returned <= set(wanted)


def test_responses_carry_what_landing_needs_and_no_secrets():
    with sandbox() as sb:
        response = client_for(sb.base_url).get_authorized_shops()

    assert response.http_status == 200 and response.request_id and response.attempts == 1
    assert response.text.startswith("{") and '"code":0' in response.text.replace(" ", "")
    assert "sign" not in response.query
    for secret in (TIKTOK_SHOP_SANDBOX_APP_SECRET, TIKTOK_SHOP_SANDBOX_ACCESS_TOKEN):
        assert secret not in repr(response)
        assert secret not in str(response.query)


# ---------------------------------------------------------------------------- API errors


def test_wrong_secret_is_106001_naming_code_request_id_and_endpoint_not_secret():
    wrong = "definitely-not-the-app-secret"
    with sandbox() as sb:
        client = client_for(sb.base_url, app_secret=wrong)

        with pytest.raises(TikTokShopApiError) as caught:
            client.get_authorized_shops()
        log = sb.request_log

    err = caught.value
    assert err.code == 106001
    assert err.http_status == 401
    assert (err.method, err.path) == ("GET", SHOPS_PATH)
    assert err.request_id
    message = str(err)
    for part in ("106001", err.request_id, f"GET {SHOPS_PATH}"):
        assert part in message
    assert wrong not in message and wrong not in repr(err)
    assert len(log) == 1, "a bad signature must not be retried"


def test_expired_token_is_a_clear_105002_error_without_retry():
    with sandbox() as sb:
        # No refresh token configured: nothing can renew it (renewal: test_tiktok_shop_token_refresh).
        client = client_for(
            sb.base_url, access_token=TIKTOK_SHOP_SANDBOX_EXPIRED_ACCESS_TOKEN, refresh_token=""
        )

        with pytest.raises(TikTokShopApiError) as caught:
            client.get_authorized_shops()
        log = sb.request_log

    assert caught.value.code == 105002
    assert "105002" in str(caught.value)
    assert "expired" in str(caught.value).lower()
    assert TIKTOK_SHOP_SANDBOX_EXPIRED_ACCESS_TOKEN not in str(caught.value)
    assert len(log) == 1


# ---------------------------------------------------------------------------- paging


@pytest.mark.parametrize("page_size", [1, 7, 100])
def test_page_size_is_honoured(page_size):
    # No re-served order: the sandbox ends a page early rather than hold both of its copies.
    with sandbox(reserved_order_rate=0) as sb:
        client = client_for(sb.base_url)
        shop = sb.dataset.shops[0]
        pages = list(
            client.search_orders(
                shop.cipher, update_time_ge=WINDOW_GE, update_time_lt=WINDOW_LT, page_size=page_size
            )
        )
        truth = {
            i for i in visible_ids(sb) if sb.dataset.order_by_id(i).shop.shop_id == shop.shop_id
        }

    sizes = [len(p.data["orders"]) for p in pages]
    assert max(sizes) <= page_size
    assert all(size == page_size for size in sizes[:-1])
    assert len(pages) == max(1, -(-len(truth) // page_size))
    assert {o["id"] for p in pages for o in p.data["orders"]} == truth


@pytest.mark.parametrize("page_size", [0, 101])
def test_out_of_range_page_size_is_rejected_before_sending(page_size):
    with sandbox() as sb:
        client = client_for(sb.base_url)

        with pytest.raises(ValueError, match="page_size"):
            client.search_orders(sb.dataset.shops[0].cipher, page_size=page_size)

        assert sb.request_log == []


# ---------------------------------------------------------------------------- resilience


def test_throttling_is_retried_and_loses_no_orders(clean_run):
    clean_ids, truth = clean_run
    patient = RetryPolicy(max_attempts=40, base_delay=0.01, max_delay=0.3)
    with sandbox(rate_limit_per_second=5.0, rate_limit_burst=2) as sb:
        fetched, pages = fetch_window_ids(client_for(sb.base_url, retry=patient))
        log = sb.request_log

    throttled = [e for e in log if e[2] == 429 and e[3] == 36009002]
    assert throttled, "the sandbox should have throttled this run"
    assert any(p.attempts > 1 for p in pages)
    assert fetched == clean_ids == truth


def test_injected_faults_are_retried_and_lose_no_orders(clean_run):
    clean_ids, truth = clean_run
    with sandbox(fault_rate=0.3) as sb:
        fetched, _ = fetch_window_ids(client_for(sb.base_url, retry=RetryPolicy(12, 0.01, 0.1)))
        log = sb.request_log

    assert any(status >= 500 for _, _, status, _ in log), "the sandbox should have injected faults"
    assert fetched == clean_ids == truth


def test_bodies_cut_short_in_transit_are_retried_and_lose_no_orders(clean_run):
    clean_ids, truth = clean_run
    with sandbox(truncate_rate=0.3) as sb:
        client = client_for(sb.base_url, retry=RetryPolicy(12, 0.01, 0.1))
        fetched, pages = fetch_window_ids(client)
        log = sb.request_log

    calls = len(pages) + 1  # the pages plus the shops call
    assert len(log) > calls, "some answers should have been cut short and fetched again"
    assert any(p.attempts > 1 for p in pages)
    assert fetched == clean_ids == truth


def test_slow_responses_past_the_timeout_are_retried(clean_run):
    clean_ids, truth = clean_run
    with sandbox(slow_rate=0.3, slow_seconds=1.0) as sb:
        client = client_for(sb.base_url, timeout=0.3, retry=RetryPolicy(12, 0.01, 0.1))
        fetched, pages = fetch_window_ids(client, page_size=50)
        log = sb.request_log

    calls = len(pages) + 1  # the pages plus the shops call
    assert len(log) > calls, "some responses should have outlasted the timeout and been retried"
    assert fetched == clean_ids == truth


def test_always_slow_api_raises_unreachable_after_the_last_attempt():
    with sandbox(slow_rate=1.0, slow_seconds=1.0) as sb:
        client = client_for(sb.base_url, timeout=0.2, retry=RetryPolicy(3, 0.01, 0.02))

        with pytest.raises(TikTokShopUnreachableError) as caught:
            client.get_authorized_shops()
        assert sb.base_url in str(caught.value)

    assert "0.2s" in str(caught.value)


def test_unreachable_base_url_names_the_url_and_how_to_fix_it():
    base_url = f"http://127.0.0.1:{free_port()}"
    client = client_for(base_url, retry=RetryPolicy(3, 0.01, 0.02), timeout=2.0)

    with pytest.raises(TikTokShopUnreachableError) as caught:
        client.get_authorized_shops()

    message = str(caught.value)
    assert base_url in message
    assert "linkstar sandbox" in message
    assert "TIKTOK_SHOP_BASE_URL" in message
    assert "https://open-api.tiktokglobalshop.com" in message


# ---------------------------------------------------------------------------- secrecy


def test_logs_never_show_secret_or_token(caplog):
    with (
        caplog.at_level(logging.DEBUG),
        sandbox(rate_limit_per_second=10.0, rate_limit_burst=2, fault_rate=0.2) as sb,
    ):
        fetch_window_ids(client_for(sb.base_url, retry=RetryPolicy(40, 0.01, 0.2)))
        with pytest.raises(TikTokShopApiError):
            client_for(
                sb.base_url,
                access_token=TIKTOK_SHOP_SANDBOX_EXPIRED_ACCESS_TOKEN,
                refresh_token="",
            ).get_authorized_shops()

    connector_records = [r for r in caplog.records if r.name == "connectors.tiktok_shop"]
    assert connector_records, "the client should log its calls"
    assert any("retrying" in r.getMessage() for r in connector_records)
    for secret in (
        TIKTOK_SHOP_SANDBOX_APP_SECRET,
        TIKTOK_SHOP_SANDBOX_ACCESS_TOKEN,
        TIKTOK_SHOP_SANDBOX_EXPIRED_ACCESS_TOKEN,
    ):
        assert secret not in caplog.text
