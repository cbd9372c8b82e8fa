"""The ERP open-API client against the 领星 Lingxing emulator over real HTTP.

Expected counts come from the emulator's plain-Python truth (`lingxing_api_truth`) or from a
second, undisturbed load, never from the client under test."""

from __future__ import annotations

import logging
import random
import time
from datetime import UTC, datetime

import pytest
import requests

from connectors.erp_api import lingxing
from connectors.erp_api.client import (
    ErpApiAuthError,
    ErpApiCallError,
    ErpApiClient,
    ErpApiSettings,
)
from connectors.rate_limit import RateLimiter
from connectors.retry import RetryPolicy
from connectors.sandbox_defaults import sandbox_environment
from sandbox.lingxing_api import STATUS_SHIPPED, lingxing_api_truth
from tests.conftest import AS_OF, HISTORY_START, sandbox_running

START = int(datetime.combine(HISTORY_START, datetime.min.time(), UTC).timestamp())
END = int(AS_OF.timestamp())
FAST_RETRY = RetryPolicy(max_attempts=8, base_delay=0.05, max_delay=0.4)


@pytest.fixture(scope="module")
def sandbox():
    with sandbox_running() as running:
        yield running


def client_for(
    sandbox,
    *,
    page_size: int = 500,
    secret: str | None = None,
    pace_per_second: float = 0,
    timeout: float = 30.0,
):
    env = sandbox_environment(sandbox.base_url)
    env["ERP_API_PAGE_SIZE"] = str(page_size)
    if secret is not None:
        env["ERP_API_APP_SECRET"] = secret
    settings = ErpApiSettings.from_env(env)
    assert settings is not None
    # Unpaced unless asked: the sandbox's bucket is what these tests exercise.
    limiter = RateLimiter(pace_per_second)
    return ErpApiClient(
        settings,
        timeout=timeout,
        retry=FAST_RETRY,
        rng=random.Random(1),
        limiter_for=lambda path: limiter,
    )


def shipped_pairs(pages) -> set[tuple[str, str]]:
    return {
        (item["platform_order_no"], order["global_order_no"])
        for page in pages
        for order in page.rows
        if order["status"] == STATUS_SHIPPED
        for item in order["item_info"]
    }


def test_orders_page_through_every_erp_order_the_truth_holds(sandbox):
    truth = lingxing_api_truth(sandbox.dataset, sandbox.as_of())
    with client_for(sandbox, page_size=200) as client:
        pages = list(client.order_pages(START, END))
    numbers = [order["global_order_no"] for page in pages for order in page.rows]
    assert len(pages) > 3, "the window should need several pages of 200"
    assert [p.offset for p in pages] == [200 * k for k in range(len(pages))]
    assert len(numbers) == len(set(numbers)) == pages[0].total
    assert set(numbers) == set(truth.statuses)
    expected = {(line["order_id"], line["erp_package_no"]) for line in truth.shipped_lines}
    assert shipped_pairs(pages) == expected
    assert all("access_token" not in p.query and "sign" not in p.query for p in pages)


def test_one_token_serves_every_call_until_it_expires_then_one_reauth(sandbox):
    with client_for(sandbox) as client:
        first = list(client.inventory_pages())
        assert client.token_requests == 1
        sandbox.lingxing_api.expire_tokens()
        second = list(client.inventory_pages())
        assert client.token_requests == 2
    assert [p.rows for p in first] == [p.rows for p in second]
    codes = [code for _, path, _, code in sandbox.lingxing_api.request_log if "inventory" in path]
    assert 2001003 in codes


def test_a_window_longer_than_31_days_is_split_into_allowed_requests(sandbox):
    with client_for(sandbox) as client:
        long_window = list(client.order_pages(START - 40 * 86400, END))
        direct = list(client.order_pages(START, END))
    bodies = [p.request_body for p in long_window]
    assert len(set(bodies)) >= 3  # 40 days before + ~20 days: at least 3 windows
    assert sum(len(p.rows) for p in long_window) == sum(len(p.rows) for p in direct)


def test_the_emulator_refuses_a_window_over_31_days(sandbox):
    with client_for(sandbox) as client:
        body = {"date_type": "update_time", "start_time": START, "end_time": START + 32 * 86400}
        with pytest.raises(ErpApiCallError, match="31 days") as raised:
            client.call("/pb/mp/order/v2/list", {**body, "offset": 0, "length": 10})
    assert raised.value.code == 1001 and raised.value.request_id


def test_throttling_is_retried_and_loads_identical_counts(sandbox, caplog):
    with client_for(sandbox, page_size=400) as client:
        calm = list(client.order_pages(START, END))
    sandbox.lingxing_api.set_rate_limit(per_second=4.0)
    try:
        with caplog.at_level(logging.WARNING), client_for(sandbox, page_size=400) as client:
            throttled = list(client.order_pages(START, END))
    finally:
        sandbox.lingxing_api.set_rate_limit(per_second=10.0)
    assert "3001008" in caplog.text
    assert sum(p.attempts - 1 for p in throttled) > 0
    assert [len(p.rows) for p in throttled] == [len(p.rows) for p in calm]
    assert shipped_pairs(throttled) == shipped_pairs(calm)


def test_a_wrong_secret_is_a_clear_error_without_the_secret(sandbox):
    wrong = "not-the-real-secret-123"
    with client_for(sandbox, secret=wrong) as client, pytest.raises(ErpApiAuthError) as raised:
        list(client.inventory_pages())
    text = str(raised.value)
    assert "2001002" in text and "ERP_API_APP_SECRET" in text and "lingxing" in text
    assert wrong not in text and wrong not in repr(client)


def test_client_pacing_keeps_a_one_token_bucket_happy(sandbox):
    """What pacing guarantees: calls leave at most `pace` per second, so a server bucket that
    refills faster is never found empty. Lingxing's buckets often hold one token (reference),
    so the server here holds one, refilled 5/s (one token per 0.2 s), and the client sends 2/s
    (a call per 0.5 s): only a call delayed by over 0.3 s against its predecessor could meet an
    empty bucket, a margin that holds on a busy 2-core machine (a 4/s client had 0.05 s and
    failed under load). The elapsed-time bound is one-sided: load only makes the run slower."""
    sandbox.lingxing_api.set_rate_limit(per_second=5.0)
    started = time.monotonic()
    try:
        with client_for(sandbox, page_size=100, pace_per_second=2.0) as client:
            pages = list(client.order_pages(START, START + 5 * 86400))
    finally:
        sandbox.lingxing_api.set_rate_limit(per_second=10.0)
    assert len(pages) >= 3
    assert all(p.attempts == 1 for p in pages), [p.attempts for p in pages]
    # Every page call was paced behind the one before: at least (pages - 1) / 2 seconds.
    assert time.monotonic() - started >= (len(pages) - 1) / 2.0


def test_an_unpaced_client_drains_the_same_bucket(sandbox):
    """The counterpart that makes the test above able to fail: without pacing, the same bucket
    answers 3001008 and the client has to retry."""
    sandbox.lingxing_api.set_rate_limit(per_second=5.0)
    try:
        with client_for(sandbox, page_size=100) as client:
            pages = list(client.order_pages(START, START + 5 * 86400))
    finally:
        sandbox.lingxing_api.set_rate_limit(per_second=10.0)
    assert sum(p.attempts - 1 for p in pages) > 0


def post_signed(sandbox, body: dict, sign: str | None = None) -> dict:
    """One hand-made call with a real token: the emulator's checks, not the client's."""
    with client_for(sandbox) as client:
        token = client.access_token()
    query = {"access_token": token, "app_key": client.settings.app_id}
    query["timestamp"] = str(int(datetime.now(UTC).timestamp()))
    query["sign"] = sign or lingxing.sign({**query, **body}, client.settings.app_id)
    url = f"{client.settings.base_url}{lingxing.ORDERS_PATH}"
    for _ in range(20):  # unpaced: wait out the one-token bucket rather than assert on it
        answer = requests.post(url, params=query, json=body, timeout=10).json()
        if answer["code"] != 3001008:
            return answer
        time.sleep(0.1)
    raise AssertionError("still throttled after 2 s")


def test_the_emulator_checks_signature_and_paging_parameters(sandbox):
    body = {"date_type": "update_time", "start_time": START, "end_time": START + 86400}
    assert post_signed(sandbox, {**body, "offset": 0, "length": 5})["code"] == 0
    assert (
        post_signed(sandbox, {**body, "offset": 0, "length": 5}, sign="bm90LWEtc2lnbg==")["code"]
        == 2001006
    )
    assert post_signed(sandbox, {**body, "offset": 0, "length": 501})["code"] == 1001
    assert post_signed(sandbox, {**body, "offset": -1, "length": 5})["code"] == 1001


def test_server_errors_and_cut_bodies_are_retried_to_identical_counts():
    with sandbox_running(fault_rate=0.2, truncate_rate=0.2) as faulty:
        with client_for(faulty, page_size=300) as client:
            pages = list(client.order_pages(START, END))
        truth = lingxing_api_truth(faulty.dataset, faulty.as_of())
        assert 502 in [status for _, _, status, _ in faulty.lingxing_api.request_log]
    numbers = {order["global_order_no"] for page in pages for order in page.rows}
    assert numbers == set(truth.statuses)
    assert sum(p.attempts - 1 for p in pages) > 0


def test_answers_slower_than_the_timeout_are_asked_again_to_identical_counts():
    # Pages of a two-shop dataset answer in milliseconds, far inside the 0.5 s timeout even on
    # a loaded machine: every successful answer beyond one per page is one held back past the
    # timeout and asked for again (paced under the sandbox's bucket, so few are throttled).
    small = {"orders_per_shop_day": 5, "shop_count": 2}
    with sandbox_running(**small, slow_rate=0.3, slow_seconds=1.5) as slow:
        with client_for(slow, page_size=100, pace_per_second=8, timeout=0.5) as client:
            pages = list(client.order_pages(START, END))
        truth = lingxing_api_truth(slow.dataset, slow.as_of())
        log = slow.lingxing_api.request_log
    numbers = [order["global_order_no"] for page in pages for order in page.rows]
    assert len(numbers) == len(set(numbers)) and set(numbers) == set(truth.statuses)
    answered = [e for e in log if e[1].endswith(lingxing.ORDERS_PATH) and e[3] == 0]
    assert len(answered) > len(pages), "no answer outlasted the timeout"
