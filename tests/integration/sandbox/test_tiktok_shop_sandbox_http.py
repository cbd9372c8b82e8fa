"""The sandbox over real HTTP on 127.0.0.1, signed the way the reference says clients sign."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, date, datetime

import pytest
import requests

from connectors.sandbox_defaults import (
    TIKTOK_SHOP_SANDBOX_ACCESS_TOKEN as TOKEN,
)
from connectors.sandbox_defaults import (
    TIKTOK_SHOP_SANDBOX_APP_KEY as APP_KEY,
)
from connectors.sandbox_defaults import (
    TIKTOK_SHOP_SANDBOX_APP_SECRET as SECRET,
)
from connectors.sandbox_defaults import (
    TIKTOK_SHOP_SANDBOX_EXPIRED_ACCESS_TOKEN as EXPIRED_TOKEN,
)
from sandbox.reserved_orders import BEFORE
from sandbox.server import SandboxSettings, running_sandbox

SHOPS = "/authorization/202309/shops"
SEARCH = "/order/202309/orders/search"
DETAIL = "/order/202309/orders"
AS_OF = datetime(2024, 3, 20, tzinfo=UTC)


def sign(secret: str, path: str, params: dict[str, str], body: bytes = b"") -> str:
    """Independent re-statement of the reference's signing steps."""
    pairs = "".join(f"{k}{params[k]}" for k in sorted(params) if k not in ("sign", "access_token"))
    message = f"{secret}{path}{pairs}".encode() + body + secret.encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def call(
    base_url: str,
    method: str,
    path: str,
    params: dict[str, str] | None = None,
    body: dict | None = None,
    token: str | None = TOKEN,
    timestamp: int | None = None,
    secret: str = SECRET,
    timeout: float = 10,
) -> requests.Response:
    query = {"app_key": APP_KEY, "timestamp": str(timestamp or int(time.time())), **(params or {})}
    raw = json.dumps(body, separators=(",", ":")).encode() if body is not None else b""
    query["sign"] = sign(secret, path, query, raw)
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["x-tts-access-token"] = token
    return requests.request(
        method, base_url + path, params=query, data=raw or None, headers=headers, timeout=timeout
    )


@pytest.fixture(scope="module")
def sandbox():
    settings = SandboxSettings(
        port=0,
        seed=11,
        start_date=date(2024, 3, 1),
        end_date=date(2024, 3, 3),
        as_of=AS_OF,
        orders_per_shop_day=20,
    )
    with running_sandbox(settings) as sb:
        yield sb


@pytest.fixture(scope="module")
def shop(sandbox):
    return max(
        sandbox.dataset.shops, key=lambda s: len(sandbox.dataset.served_orders_for_shop(s.shop_id))
    )


def search(sb, shop, page_size="10", body=None, **params) -> requests.Response:
    query = {"shop_cipher": shop.cipher, "page_size": page_size, **params}
    return call(sb.base_url, "POST", SEARCH, query, body if body is not None else {})


def walk_pages(sb, shop, body, **params) -> list[list[dict]]:
    pages, token = [], ""
    for _ in range(1000):
        extra = {"page_token": token} if token else {}
        page = search(sb, shop, body=body, **params, **extra).json()
        assert page["code"] == 0, page
        pages.append(page["data"]["orders"])
        token = page["data"]["next_page_token"]
        if not token:
            return pages
    raise AssertionError("paging never ended")


def walk(sb, shop, body, **params) -> list[dict]:
    return [order for page in walk_pages(sb, shop, body, **params) for order in page]


def test_signing_helper_matches_the_reference_worked_example():
    params = {"app_key": "29a39d", "timestamp": "1623812664"}
    assert sign("e59af819cc", SHOPS, params) == (
        "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"
    )


def test_lists_authorized_shops_in_an_envelope(sandbox):
    resp = call(sandbox.base_url, "GET", SHOPS)
    body = resp.json()
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("application/json")
    assert body["code"] == 0 and body["message"] == "Success" and body["request_id"]
    shops = body["data"]["shops"]
    assert len(shops) == len(sandbox.dataset.shops) >= 5
    assert set(shops[0]) == {"id", "name", "region", "seller_type", "cipher", "code"}
    assert sandbox.request_log[-1] == ("GET", SHOPS, 200, 0)


def test_request_ids_are_unique(sandbox):
    ids = {call(sandbox.base_url, "GET", SHOPS).json()["request_id"] for _ in range(5)}
    assert len(ids) == 5


def test_wrong_signature_is_rejected_with_106001(sandbox):
    resp = call(sandbox.base_url, "GET", SHOPS, secret="not-the-secret")
    assert (resp.status_code, resp.json()["code"]) == (401, 106001)


def test_tampered_body_breaks_the_signature(sandbox, shop):
    query = {
        "app_key": APP_KEY,
        "timestamp": str(int(time.time())),
        "shop_cipher": shop.cipher,
        "page_size": "5",
    }
    query["sign"] = sign(SECRET, SEARCH, query, b'{"create_time_ge":0}')
    resp = requests.post(
        sandbox.base_url + SEARCH,
        params=query,
        data=b'{"create_time_ge":1}',
        headers={"x-tts-access-token": TOKEN},
        timeout=10,
    )
    assert (resp.status_code, resp.json()["code"]) == (401, 106001)


def test_missing_token_is_105001_and_expired_token_is_105002(sandbox):
    missing = call(sandbox.base_url, "GET", SHOPS, token=None)
    expired = call(sandbox.base_url, "GET", SHOPS, token=EXPIRED_TOKEN)
    assert (missing.status_code, missing.json()["code"]) == (401, 105001)
    assert (expired.status_code, expired.json()["code"]) == (401, 105002)


@pytest.mark.parametrize("skew", [-3600, 3600])
def test_stale_or_future_timestamp_is_rejected(sandbox, skew):
    resp = call(sandbox.base_url, "GET", SHOPS, timestamp=int(time.time()) + skew)
    assert (resp.status_code, resp.json()["code"]) == (401, 106002)


def test_unknown_shop_cipher_is_rejected(sandbox):
    resp = call(sandbox.base_url, "POST", SEARCH, {"shop_cipher": "ROW_nope", "page_size": "5"}, {})
    assert (resp.status_code, resp.json()["code"]) == (400, 106011)


def test_unknown_path_is_a_404_envelope(sandbox):
    resp = call(sandbox.base_url, "GET", "/order/202309/nothing")
    assert resp.status_code == 404 and resp.json()["code"] == 40004


@pytest.mark.parametrize("page_size", ["0", "101", "", "ten"])
def test_page_size_outside_1_to_100_is_rejected(sandbox, shop, page_size):
    resp = search(sandbox, shop, page_size=page_size)
    assert (resp.status_code, resp.json()["code"]) == (400, 40006)


def test_paging_walks_every_order_and_one_changed_order_twice_on_two_pages(sandbox, shop):
    """Every order once in its current version, and one order the sandbox re-serves (as if
    it changed mid-walk) also in its version before its latest change, on the page before or
    after, as `reserved_order_side` says: clients must keep the newest update_time."""
    clock = sandbox.as_of()
    expected = {o.order_id for o in sandbox.dataset.served_orders_for_shop(shop.shop_id)}
    first = search(sandbox, shop, page_size="7").json()["data"]
    pages = walk_pages(sandbox, shop, {}, page_size="7")
    served = [(number, o) for number, page in enumerate(pages) for o in page]
    ids = [o["id"] for _, o in served]
    assert set(ids) == expected and first["total_count"] == len(expected)
    (twice,) = [order_id for order_id in expected if ids.count(order_id) == 2]
    assert len(ids) == len(expected) + 1
    order = sandbox.dataset.order_by_id(twice)
    current = order.api_view(clock)
    stale = order.api_view(current["update_time"] - 1)
    (page_a, copy_a), (page_b, copy_b) = [(n, o) for n, o in served if o["id"] == twice]
    assert page_a != page_b and stale["update_time"] < current["update_time"]
    side = sandbox.api.reserved_order_side(twice)
    assert (copy_a, copy_b) == ((stale, current) if side == BEFORE else (current, stale))
    create_times = [o["create_time"] for _, o in served]
    assert create_times == sorted(create_times, reverse=True)  # default: newest first
    assert served[0][1] == sandbox.dataset.order_by_id(ids[0]).api_view(clock)


def test_update_time_window_is_half_open_and_sorts_ascending(sandbox, shop):
    clock = sandbox.as_of()
    updates = sorted(
        {
            o.state_at(clock).update_time
            for o in sandbox.dataset.served_orders_for_shop(shop.shop_id)
        }
    )
    lo, hi = updates[len(updates) // 4], updates[3 * len(updates) // 4]
    body = {"update_time_ge": lo, "update_time_lt": hi}
    orders = walk(sandbox, shop, body, page_size="13", sort_field="update_time", sort_order="ASC")
    got = [o["update_time"] for o in orders]
    assert got == sorted(got) and got[0] == lo and hi not in got
    expected = {
        o.order_id
        for o in sandbox.dataset.served_orders_for_shop(shop.shop_id)
        if lo <= o.state_at(clock).update_time < hi
    }
    assert {o["id"] for o in orders} == expected


def test_create_time_upper_bound_is_exclusive(sandbox, shop):
    order = sandbox.dataset.served_orders_for_shop(shop.shop_id)[5]
    t = order.create_time
    inside = walk(sandbox, shop, {"create_time_ge": t, "create_time_lt": t + 1}, page_size="5")
    outside = walk(sandbox, shop, {"create_time_ge": t - 600, "create_time_lt": t}, page_size="5")
    assert order.order_id in {o["id"] for o in inside}
    assert order.order_id not in {o["id"] for o in outside}


def test_order_status_filter(sandbox, shop):
    orders = walk(sandbox, shop, {"order_status": "CANCELLED"}, page_size="50")
    assert orders and {o["status"] for o in orders} == {"CANCELLED"}


def test_page_token_from_another_query_is_rejected(sandbox, shop):
    token = search(sandbox, shop, page_size="3").json()["data"]["next_page_token"]
    assert token
    other = search(
        sandbox, shop, page_size="3", body={"order_status": "COMPLETED"}, page_token=token
    )
    garbage = search(sandbox, shop, page_size="3", page_token="!!not-a-token!!")
    assert (other.status_code, other.json()["code"]) == (400, 40006)
    assert (garbage.status_code, garbage.json()["code"]) == (400, 40006)


def test_detail_returns_the_requested_orders(sandbox, shop):
    ids = [o.order_id for o in sandbox.dataset.served_orders_for_shop(shop.shop_id)[:3]]
    resp = call(sandbox.base_url, "GET", DETAIL, {"shop_cipher": shop.cipher, "ids": ",".join(ids)})
    assert resp.json()["code"] == 0
    assert sorted(o["id"] for o in resp.json()["data"]["orders"]) == sorted(ids)
    too_many = call(
        sandbox.base_url, "GET", DETAIL, {"shop_cipher": shop.cipher, "ids": ",".join(["1"] * 51)}
    )
    assert too_many.json()["code"] == 40006


def test_moving_the_data_clock_changes_what_the_api_shows(sandbox, shop):
    order = next(o for o in sandbox.dataset.served_orders_for_shop(shop.shop_id) if o.delivery_time)
    params = {"shop_cipher": shop.cipher, "ids": order.order_id}
    try:
        sandbox.set_as_of(order.paid_time)
        early = call(sandbox.base_url, "GET", DETAIL, params).json()["data"]["orders"][0]
        sandbox.set_as_of(order.delivery_time)
        late = call(sandbox.base_url, "GET", DETAIL, params).json()["data"]["orders"][0]
    finally:
        sandbox.set_as_of(AS_OF)
    assert early["status"] in ("ON_HOLD", "AWAITING_SHIPMENT") and "delivery_time" not in early
    assert late["status"] == "DELIVERED" and late["delivery_time"] == order.delivery_time
    assert late["update_time"] > early["update_time"]


def _tiny(**overrides) -> SandboxSettings:
    return SandboxSettings(
        port=0,
        start_date=date(2024, 3, 1),
        end_date=date(2024, 3, 1),
        as_of=datetime(2024, 3, 2, tzinfo=UTC),
        orders_per_shop_day=2,
        **overrides,
    )


def test_throttling_answers_429_with_36009002():
    with running_sandbox(_tiny(rate_limit_per_second=0.5, rate_limit_burst=3)) as sb:
        responses = [call(sb.base_url, "GET", SHOPS) for _ in range(6)]
    statuses = [r.status_code for r in responses]
    assert statuses[:3] == [200, 200, 200]
    assert 429 in statuses
    assert all(r.json()["code"] == 36009002 for r in responses if r.status_code == 429)


def test_fault_injection_gives_500_envelopes_and_502_html():
    with running_sandbox(_tiny(fault_rate=1.0)) as sb:
        responses = [call(sb.base_url, "GET", SHOPS) for _ in range(12)]
        log = sb.request_log
    by_status = {r.status_code: r for r in responses}
    assert set(by_status) == {500, 502}
    assert by_status[500].json()["code"] == 50001
    assert by_status[502].headers["Content-Type"].startswith("text/html")
    with pytest.raises(ValueError):
        by_status[502].json()
    assert {entry[2] for entry in log} == {500, 502}


def test_slow_responses_trip_client_timeouts():
    settings = _tiny(slow_rate=1.0, slow_seconds=1.0)
    with running_sandbox(settings) as sb, pytest.raises(requests.exceptions.ReadTimeout):
        call(sb.base_url, "GET", SHOPS, timeout=0.2)
