"""`TikTokShopClient` against a scripted session: envelope, retries, paging, secrecy.

No network: the fake session records every request and answers from a script, so each
behaviour (what is retried, what is signed, what is sent) is checked exactly.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import requests

from connectors.retry import RetryPolicy
from connectors.tiktok_shop import (
    ApiResponse,
    TikTokShopApiError,
    TikTokShopClient,
    TikTokShopResponseError,
    TikTokShopSettings,
    TikTokShopUnreachableError,
)

SECRET = "unit-test-app-secret-7f3a"
TOKEN = "unit-test-access-token-91bc"
SETTINGS = TikTokShopSettings("https://api.test", "unit-app", SECRET, TOKEN)
CIPHER = "GCP_cipher_1"


@dataclass
class Sent:
    method: str
    url: str
    params: dict
    data: bytes | None
    headers: dict
    timeout: float
    allow_redirects: bool


Answer = requests.Response | Exception


def http(status: int, body: bytes | str | dict) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    if isinstance(body, dict):
        body = json.dumps(body)
    response._content = body.encode() if isinstance(body, str) else body
    return response


def ok(data: dict, request_id: str = "rid-ok") -> requests.Response:
    return http(200, {"code": 0, "message": "Success", "request_id": request_id, "data": data})


def api_error(status: int, code: int, message: str = "nope", request_id: str = "rid-err"):
    return http(status, {"code": code, "message": message, "request_id": request_id, "data": {}})


class ScriptedSession:
    def __init__(self, answers: list[Answer] | Callable[[Sent], Answer]) -> None:
        self.answers = answers
        self.sent: list[Sent] = []

    def request(self, method, url, *, params, data, headers, timeout, allow_redirects):
        sent = Sent(method, url, dict(params), data, dict(headers), timeout, allow_redirects)
        self.sent.append(sent)
        answer = self.answers(sent) if callable(self.answers) else self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


class Clock:
    def __init__(self, start: int = 1_700_000_000) -> None:
        self.now = start

    def __call__(self) -> float:
        self.now += 7
        return float(self.now)


def make_client(answers, *, max_attempts: int = 4, clock=None):
    session = ScriptedSession(answers)
    sleeps: list[float] = []
    client = TikTokShopClient(
        SETTINGS,
        timeout=3.0,
        retry=RetryPolicy(max_attempts=max_attempts, base_delay=0.01, max_delay=0.05),
        session=session,
        sleep=sleeps.append,
        clock=clock or Clock(),
    )
    return client, session, sleeps


def expected_sign(path: str, params: dict, body: bytes | None) -> str:
    pairs = "".join(k + v for k, v in sorted(params.items()) if k not in ("sign", "access_token"))
    wrapped = SECRET.encode() + path.encode() + pairs.encode() + (body or b"") + SECRET.encode()
    return hmac.new(SECRET.encode(), wrapped, hashlib.sha256).hexdigest()


# ---------------------------------------------------------------------------- requests


def test_get_is_signed_with_token_only_in_header():
    client, session, _ = make_client([ok({"shops": []})])

    client.get_authorized_shops()

    sent = session.sent[0]
    assert sent.method == "GET"
    assert sent.url == "https://api.test/authorization/202309/shops"
    assert set(sent.params) == {"app_key", "timestamp", "sign"}
    assert sent.params["sign"] == expected_sign("/authorization/202309/shops", sent.params, None)
    assert sent.headers == {"x-tts-access-token": TOKEN}
    assert sent.data is None
    assert TOKEN not in json.dumps(sent.params) and SECRET not in json.dumps(sent.params)
    assert sent.allow_redirects is False


def test_search_sends_exactly_the_signed_json_bytes():
    client, session, _ = make_client([ok({"orders": [], "next_page_token": ""})])

    list(client.search_orders(CIPHER, update_time_ge=100, update_time_lt=200, page_size=20))

    sent = session.sent[0]
    assert sent.method == "POST"
    assert sent.headers["Content-Type"] == "application/json"
    assert isinstance(sent.data, bytes)
    assert json.loads(sent.data) == {"update_time_ge": 100, "update_time_lt": 200}
    assert sent.params["shop_cipher"] == CIPHER
    assert sent.params["page_size"] == "20"
    assert "page_token" not in sent.params
    assert sent.params["sign"] == expected_sign(
        "/order/202309/orders/search", sent.params, sent.data
    )


def test_response_keeps_raw_text_query_without_sign_and_attempts():
    raw = '{"code":0,"message":"Success","request_id":"r-1","data":{"shops":[{"id":"1"}]}}'
    client, session, _ = make_client([http(200, raw)])

    response = client.get_authorized_shops()

    assert isinstance(response, ApiResponse)
    assert response.text == raw
    assert response.data == {"shops": [{"id": "1"}]}
    assert response.request_id == "r-1"
    assert response.http_status == 200
    assert response.attempts == 1
    assert "sign" not in response.query
    assert response.query["timestamp"] == session.sent[0].params["timestamp"]
    assert response.fetched_at.utcoffset().total_seconds() == 0
    assert SECRET not in repr(response) and TOKEN not in repr(response)


# ---------------------------------------------------------------------------- envelope


def test_non_zero_code_at_http_200_is_an_error_naming_everything():
    client, _, sleeps = make_client([api_error(200, 105005, "App lacks the scope", "rid-42")])

    with pytest.raises(TikTokShopApiError) as caught:
        client.get_authorized_shops()

    err = caught.value
    assert (err.code, err.http_status, err.request_id) == (105005, 200, "rid-42")
    assert (err.method, err.path) == ("GET", "/authorization/202309/shops")
    for part in (
        "105005",
        "App lacks the scope",
        "rid-42",
        "GET /authorization/202309/shops",
        "200",
    ):
        assert part in str(err)
    assert sleeps == []


@pytest.mark.parametrize(("status", "code"), [(401, 106001), (401, 105002), (400, 40006)])
def test_other_api_errors_are_never_retried(status, code):
    client, session, sleeps = make_client([api_error(status, code)] * 4)

    with pytest.raises(TikTokShopApiError) as caught:
        client.get_authorized_shops()

    assert caught.value.code == code
    assert len(session.sent) == 1
    assert sleeps == []


def test_code_zero_is_success_whatever_the_http_status():
    client, _, _ = make_client(
        [http(201, {"code": 0, "message": "", "request_id": "r", "data": {"a": 1}})]
    )

    assert client.get_authorized_shops().data == {"a": 1}


@pytest.mark.parametrize("body", [b"[1, 2]", b'{"message": "no code"}', b"\xff\xfe"])
def test_malformed_body_at_200_is_a_response_error_without_retry(body):
    client, session, _ = make_client([http(200, body)] * 4)

    with pytest.raises(TikTokShopResponseError) as caught:
        client.get_authorized_shops()

    assert "GET /authorization/202309/shops" in str(caught.value)
    assert "HTTP 200" in str(caught.value)
    assert caught.value.http_status == 200
    assert len(session.sent) == 1


@pytest.mark.parametrize("body", [b'{"code": 0, "message": "Succ', b"", b"<html>proxy</html>"])
def test_body_cut_short_or_not_json_is_retried_then_named(body):
    client, session, sleeps = make_client([http(200, body)] * 4)

    with pytest.raises(TikTokShopResponseError) as caught:
        client.get_authorized_shops()

    assert "GET /authorization/202309/shops" in str(caught.value)
    assert len(session.sent) == client.retry.max_attempts
    assert len(sleeps) == client.retry.max_attempts - 1


def test_truncated_body_then_a_whole_one_succeeds():
    whole = {"code": 0, "message": "", "request_id": "r", "data": {"shops": []}}
    client, session, _ = make_client([http(200, b'{"code": 0, "mess'), http(200, whole)])

    assert client.get_authorized_shops().data == {"shops": []}
    assert len(session.sent) == 2


def test_non_object_data_is_a_response_error():
    client, _, _ = make_client(
        [http(200, {"code": 0, "message": "", "request_id": "r", "data": [1]})]
    )

    with pytest.raises(TikTokShopResponseError, match="data"):
        client.get_authorized_shops()


def test_echoed_secret_and_token_are_redacted_from_errors():
    message = f"bad sign for secret {SECRET} and token {TOKEN}"
    client, _, _ = make_client([api_error(401, 106001, message)])

    with pytest.raises(TikTokShopApiError) as caught:
        client.get_authorized_shops()

    assert SECRET not in str(caught.value) and TOKEN not in str(caught.value)
    assert SECRET not in caught.value.message and TOKEN not in caught.value.message


def test_echoed_token_is_redacted_from_malformed_body_snippet():
    client, _, _ = make_client([http(400, f"<html>token={TOKEN}</html>")])

    with pytest.raises(TikTokShopResponseError) as caught:
        client.get_authorized_shops()

    assert TOKEN not in str(caught.value)
    assert "<html>" in str(caught.value)


def test_errors_pickle_with_their_context():
    err = TikTokShopApiError(106001, "Invalid signature", "rid", 401, "GET", "/p")

    copy = pickle.loads(pickle.dumps(err))

    assert (copy.code, copy.request_id, copy.http_status, str(copy)) == (
        106001,
        "rid",
        401,
        str(err),
    )


# ---------------------------------------------------------------------------- retries


def test_throttle_code_is_retried_even_at_http_200_and_resigned_each_time():
    answers = [api_error(200, 36009002), api_error(429, 36009002), ok({"shops": []})]
    client, session, sleeps = make_client(answers)

    response = client.get_authorized_shops()

    assert response.attempts == 3
    assert len(sleeps) == 2
    timestamps = [s.params["timestamp"] for s in session.sent]
    assert len(set(timestamps)) == 3
    for sent in session.sent:
        assert sent.params["sign"] == expected_sign(
            "/authorization/202309/shops", sent.params, None
        )


def test_post_retry_resends_the_same_body_bytes():
    answers = [http(503, "down"), ok({"orders": [], "next_page_token": ""})]
    client, session, _ = make_client(answers)

    list(client.search_orders(CIPHER, create_time_ge=5))

    assert session.sent[0].data == session.sent[1].data == b'{"create_time_ge":5}'
    assert session.sent[0].params["sign"] != session.sent[1].params["sign"]


@pytest.mark.parametrize(
    "answer",
    [
        http(429, "Too Many Requests"),
        http(500, {"code": 50001, "message": "internal", "request_id": "r", "data": {}}),
        http(502, b"<html>502 Bad Gateway</html>"),
        requests.ConnectionError("refused"),
        requests.ReadTimeout("slow"),
        requests.ConnectTimeout("no route"),
        requests.exceptions.ChunkedEncodingError("connection reset mid-body"),
    ],
)
def test_transient_failures_are_retried(answer):
    client, _, sleeps = make_client([answer, ok({"shops": []})])

    assert client.get_authorized_shops().attempts == 2
    assert len(sleeps) == 1
    assert 0.0 <= sleeps[0] <= 0.01


def test_sleeps_follow_the_policy_ceilings():
    client, _, sleeps = make_client([http(500, "x")] * 3 + [ok({})])

    client.get_authorized_shops()

    assert len(sleeps) == 3
    assert all(0 <= s <= c for s, c in zip(sleeps, [0.01, 0.02, 0.04], strict=True))


def test_persistent_throttling_raises_the_api_error_after_max_attempts():
    client, session, sleeps = make_client([api_error(429, 36009002, "throttled", "rid-t")] * 4)

    with pytest.raises(TikTokShopApiError) as caught:
        client.get_authorized_shops()

    assert caught.value.code == 36009002
    assert caught.value.request_id == "rid-t"
    assert len(session.sent) == 4
    assert len(sleeps) == 3


def test_persistent_bad_gateway_raises_a_response_error():
    client, session, _ = make_client([http(502, "<html>Bad Gateway</html>")] * 4)

    with pytest.raises(TikTokShopResponseError, match="HTTP 502"):
        client.get_authorized_shops()

    assert len(session.sent) == 4


def test_unreachable_host_names_the_url_and_the_fix():
    client, session, _ = make_client([requests.ConnectionError("refused")] * 4)

    with pytest.raises(TikTokShopUnreachableError) as caught:
        client.get_authorized_shops()

    message = str(caught.value)
    assert "https://api.test" in message
    assert "linkstar sandbox" in message
    assert "TIKTOK_SHOP_BASE_URL" in message
    assert "https://open-api.tiktokglobalshop.com" in message
    assert caught.value.base_url == "https://api.test"
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert len(session.sent) == 4


def test_read_timeout_after_last_attempt_says_so():
    client, _, _ = make_client([requests.ReadTimeout("slow")] * 2, max_attempts=2)

    with pytest.raises(TikTokShopUnreachableError, match="within 3s"):
        client.get_authorized_shops()


def test_single_attempt_policy_never_sleeps():
    client, session, sleeps = make_client([http(500, "x")], max_attempts=1)

    with pytest.raises(TikTokShopResponseError):
        client.get_authorized_shops()

    assert len(session.sent) == 1 and sleeps == []


# ---------------------------------------------------------------------------- paging


def page(ids: list[str], token: str) -> requests.Response:
    orders = [{"id": i} for i in ids]
    return ok({"orders": orders, "next_page_token": token, "total_count": 5})


def test_paging_follows_tokens_until_empty():
    client, session, _ = make_client(
        [page(["1", "2"], "t1"), page(["3", "4"], "t2"), page(["5"], "")]
    )

    pages = list(client.search_orders(CIPHER, update_time_ge=1, update_time_lt=2, page_size=2))

    assert [o["id"] for p in pages for o in p.data["orders"]] == ["1", "2", "3", "4", "5"]
    assert [s.params.get("page_token") for s in session.sent] == [None, "t1", "t2"]
    assert {s.data for s in session.sent} == {b'{"update_time_ge":1,"update_time_lt":2}'}


def test_missing_next_page_token_ends_paging():
    client, _, _ = make_client([ok({"orders": []})])

    assert len(list(client.search_orders(CIPHER))) == 1


def test_repeated_page_token_is_detected_as_a_loop():
    client, session, _ = make_client([page(["1"], "a"), page(["2"], "b"), page(["3"], "a")] * 2)

    with pytest.raises(TikTokShopResponseError, match="paging would loop"):
        list(client.search_orders(CIPHER, page_size=1))

    assert len(session.sent) == 3


@pytest.mark.parametrize("size", [0, 101, -1])
def test_out_of_range_page_size_is_rejected_before_sending(size):
    client, session, _ = make_client([])

    with pytest.raises(ValueError, match="page_size"):
        client.search_orders(CIPHER, page_size=size)  # raises on the call, not on iteration

    assert session.sent == []


@pytest.mark.parametrize("size", [1, 100])
def test_page_size_limits_are_inclusive(size):
    client, session, _ = make_client([ok({"orders": [], "next_page_token": ""})])

    list(client.search_orders(CIPHER, page_size=size))

    assert session.sent[0].params["page_size"] == str(size)


def test_float_times_are_rejected_before_sending():
    client, session, _ = make_client([])

    with pytest.raises(TypeError, match="update_time_ge"):
        client.search_orders(CIPHER, update_time_ge=1.5)

    assert session.sent == []


def test_empty_shop_cipher_is_rejected():
    client, _, _ = make_client([])

    with pytest.raises(ValueError, match="shop_cipher"):
        client.search_orders("")


# ---------------------------------------------------------------------------- details


def test_order_details_go_in_chunks_of_at_most_50_ids():
    ids = [str(n) for n in range(120)]
    client, session, _ = make_client(lambda sent: ok({"orders": []}))

    responses = client.get_order_details(CIPHER, ids + ids[:10])

    assert len(responses) == 3
    chunks = [s.params["ids"].split(",") for s in session.sent]
    assert [len(c) for c in chunks] == [50, 50, 20]
    assert [i for c in chunks for i in c] == ids
    assert all(s.method == "GET" and s.params["shop_cipher"] == CIPHER for s in session.sent)


def test_no_ids_means_no_calls():
    client, session, _ = make_client([])

    assert client.get_order_details(CIPHER, []) == []
    assert session.sent == []


def test_a_single_string_is_not_taken_for_a_list_of_ids():
    client, _, _ = make_client([])

    with pytest.raises(TypeError):
        client.get_order_details(CIPHER, "576123")


# ---------------------------------------------------------------------------- secrecy


def test_logs_and_repr_never_show_secret_or_token(caplog):
    answers = [api_error(429, 36009002), http(502, "bad gateway"), ok({"shops": []})]
    client, _, _ = make_client(answers)

    with caplog.at_level(logging.DEBUG, logger="connectors.tiktok_shop"):
        client.get_authorized_shops()

    assert caplog.records, "the client should log its attempts"
    for text in (caplog.text, repr(client), repr(client.settings)):
        assert SECRET not in text and TOKEN not in text
    assert "36009002" in caplog.text and "retrying" in caplog.text


def test_url_path_is_the_base_url_plus_path():
    settings = TikTokShopSettings("http://127.0.0.1:1/", "k", "s", "t")
    client = TikTokShopClient(settings, session=ScriptedSession([ok({})]), sleep=lambda _: None)

    client.get_authorized_shops()

    assert urlsplit(client._session.sent[0].url).path == "/authorization/202309/shops"
