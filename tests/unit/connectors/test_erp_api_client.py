"""ErpApiClient behaviour that the emulator cannot provoke on demand, on a scripted session:
token refresh before expiry, a short page before `total`, a body cut short in transit, and
secrets kept out of errors. Each answer is written here by hand."""

from __future__ import annotations

import json
import random

import pytest

from connectors.erp_api.client import (
    ErpApiCallError,
    ErpApiClient,
    ErpApiPagingError,
    ErpApiSettings,
)
from connectors.rate_limit import RateLimiter
from connectors.retry import RetryPolicy

SECRET = "the-app-secret-value"
SETTINGS = ErpApiSettings(
    base_url="https://erp.example", app_id="ak_0123456789abc", app_secret=SECRET, page_size=2
)


class Answer:
    def __init__(self, status: int, body: object) -> None:
        self.status_code = status
        self.content = body if isinstance(body, bytes) else json.dumps(body).encode()


class ScriptedSession:
    """Answers token requests with fresh tokens and business calls from a script."""

    def __init__(self, pages: list[Answer]) -> None:
        self.pages = pages
        self.tokens = 0
        self.calls: list[dict] = []

    def request(self, method, url, **kwargs):
        if url.endswith("/access-token"):
            self.tokens += 1
            data = {"access_token": f"token-{self.tokens}", "expires_in": 7199}
            return Answer(200, {"code": "200", "msg": "OK", "data": data})
        self.calls.append(kwargs)
        return self.pages.pop(0)

    def close(self) -> None:
        pass


def client(session: ScriptedSession, clock=lambda: 1_800_000_000.0) -> ErpApiClient:
    return ErpApiClient(
        SETTINGS,
        session=session,  # type: ignore[arg-type]
        retry=RetryPolicy(max_attempts=3, base_delay=0, max_delay=0),
        sleep=lambda _: None,
        clock=clock,
        rng=random.Random(0),
        limiter_for=lambda path: RateLimiter(0),
    )


def page(total: int, numbers: list[int]) -> Answer:
    """A list page whose rows are objects numbered `numbers` (rows are JSON objects)."""
    rows = [{"n": number} for number in numbers]
    return Answer(
        200,
        {
            "code": 0,
            "message": "success",
            "request_id": "r1",
            "data": {"total": total, "list": rows},
        },
    )


def test_token_is_reused_then_refreshed_before_it_expires():
    now = [1_800_000_000.0]
    session = ScriptedSession([])
    erp = client(session, clock=lambda: now[0])
    assert erp.access_token() == erp.access_token() == "token-1"
    now[0] += 7199 - 300 - 1  # still inside the lifetime minus the refresh margin
    assert erp.access_token() == "token-1"
    now[0] += 2
    assert erp.access_token() == "token-2" and session.tokens == 2


def test_a_short_page_before_total_is_an_error_not_a_short_load():
    session = ScriptedSession([page(5, [1, 2]), page(5, [3])])
    with pytest.raises(ErpApiPagingError, match="total is 5"):
        list(client(session).pages("/pb/mp/order/v2/list", {}))


def test_paging_sends_offset_and_length_and_stops_at_total():
    session = ScriptedSession([page(3, [1, 2]), page(3, [3])])
    pages = list(client(session).pages("/pb/mp/order/v2/list", {"date_type": "update_time"}))
    bodies = [json.loads(call["data"]) for call in session.calls]
    assert [(b["offset"], b["length"]) for b in bodies] == [(0, 2), (2, 2)]
    assert [[row["n"] for row in p.rows] for p in pages] == [[1, 2], [3]]
    assert all(
        "sign" in call["params"] and "access_token" in call["params"] for call in session.calls
    )


def test_a_body_cut_short_is_retried():
    session = ScriptedSession([Answer(200, b'{"code": 0, "da'), page(1, [1])])
    pages = list(client(session).pages("/pb/mp/order/v2/list", {}))
    assert pages[0].attempts == 2 and pages[0].rows == [{"n": 1}]


def test_errors_name_vendor_endpoint_code_and_request_id_but_never_the_secret():
    echo = {"code": 2001006, "message": f"bad sign for secret {SECRET}", "request_id": "req-9"}
    session = ScriptedSession([Answer(200, echo)])
    with pytest.raises(ErpApiCallError) as raised:
        list(client(session).pages("/pb/mp/order/v2/list", {}))
    text = str(raised.value)
    assert "lingxing" in text and "/pb/mp/order/v2/list" in text
    assert "2001006" in text and "req-9" in text and "ERP_API_APP_ID" in text
    assert SECRET not in text
