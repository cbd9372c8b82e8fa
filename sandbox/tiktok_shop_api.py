"""TikTok Shop Partner API (202309) request handling for the sandbox, without any HTTP server.

`TikTokShopApi.handle` takes a parsed request and returns status, body and an optional delay,
so routing, auth, signing, paging, throttling and faults are unit-testable; `sandbox.server`
only moves bytes. Checks run in the order the real gateway is believed to use: route, fault
injection, app key + signature, timestamp, access token, throttle, shop cipher, parameters.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import itertools
import json
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from connectors.sandbox_defaults import (
    TIKTOK_SHOP_SANDBOX_ACCESS_TOKEN,
    TIKTOK_SHOP_SANDBOX_APP_KEY,
    TIKTOK_SHOP_SANDBOX_APP_SECRET,
    TIKTOK_SHOP_SANDBOX_EXPIRED_ACCESS_TOKEN,
)
from sandbox.generator import ORDER_STATUSES, Dataset, Order, Shop

logger = logging.getLogger(__name__)

SHOPS_PATH = "/authorization/202309/shops"
ORDER_SEARCH_PATH = "/order/202309/orders/search"
ORDER_DETAIL_PATH = "/order/202309/orders"

# Codes named by the reference, then the sandbox's own choices where it is silent.
CODE_OK = 0
CODE_BAD_SIGNATURE = 106001  # reference: bad signature / unknown app key, HTTP 401
CODE_BAD_TIMESTAMP = 106002  # sandbox choice: timestamp missing or outside the window
CODE_BAD_TOKEN = 105001  # sandbox choice for a missing or unknown access token
CODE_EXPIRED_TOKEN = 105002  # reference: expired access token
CODE_THROTTLED = 36009002  # reference: throttled (HTTP 429)
CODE_UNKNOWN_SHOP = 106011  # sandbox choice: shop_cipher missing, unknown or not authorized
CODE_INVALID_PARAM = 40006  # sandbox choice: any invalid query parameter or body field
CODE_NOT_FOUND = 40004  # sandbox choice: unknown path
CODE_METHOD = 40005  # sandbox choice: known path, wrong HTTP method
CODE_INTERNAL = 50001  # sandbox choice: injected internal error (HTTP 500)

ORDER_PAGE_SIZE = (1, 100)
DETAIL_MAX_IDS = 50
_SORT_FIELDS = ("create_time", "update_time")
_SEARCH_FILTERS = ("create_time_ge", "create_time_lt", "update_time_ge", "update_time_lt")

_BAD_GATEWAY_HTML = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)


@dataclass(frozen=True)
class ApiSettings:
    """Knobs of the emulated gateway; the defaults mirror the reference's public figures."""

    seed: int = 7
    rate_limit_per_second: float = 50.0
    rate_limit_burst: int = 50
    timestamp_window_seconds: int = 300
    fault_rate: float = 0.0
    slow_rate: float = 0.0
    slow_seconds: float = 5.0
    app_secrets: Mapping[str, str] = field(
        default_factory=lambda: {TIKTOK_SHOP_SANDBOX_APP_KEY: TIKTOK_SHOP_SANDBOX_APP_SECRET}
    )
    access_tokens: frozenset[str] = frozenset({TIKTOK_SHOP_SANDBOX_ACCESS_TOKEN})
    expired_tokens: frozenset[str] = frozenset({TIKTOK_SHOP_SANDBOX_EXPIRED_ACCESS_TOKEN})


@dataclass(frozen=True)
class ApiRequest:
    """A request as received: decoded query values, lower-case header names, raw body bytes."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes = b""


@dataclass(frozen=True)
class ApiResponse:
    """What to send; `delay_seconds` is served by the HTTP layer (slow-response injection)."""

    status: int
    body: bytes
    content_type: str
    api_code: int | None
    delay_seconds: float = 0.0

    def json(self) -> dict:
        return json.loads(self.body)


class ApiError(Exception):
    """A request rejected with an envelope error; carries HTTP status and API code."""

    def __init__(self, http_status: int, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.http_status = http_status
        self.code = code
        self.message = message


def compute_sign(secret: str, path: str, query: Mapping[str, str], body: bytes = b"") -> str:
    """The reference's HMAC-SHA256 signature over path, sorted query and raw body."""
    params = sorted((k, v) for k, v in query.items() if k not in ("sign", "access_token"))
    base = path.encode() + "".join(k + v for k, v in params).encode() + body
    wrapped = secret.encode() + base + secret.encode()
    return hmac.new(secret.encode(), wrapped, hashlib.sha256).hexdigest()


class TokenBucket:
    """Per-key token buckets; `allow` is thread-safe and uses a monotonic clock."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self._rate, self._burst, self._clock = rate, burst, clock
        self._state: dict[tuple[str, str], tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: tuple[str, str]) -> bool:
        with self._lock:
            now = self._clock()
            tokens, last = self._state.get(key, (float(self._burst), now))
            tokens = min(float(self._burst), tokens + (now - last) * self._rate)
            allowed = tokens >= 1.0
            self._state[key] = (tokens - 1.0 if allowed else tokens, now)
            return allowed


class TikTokShopApi:
    """The emulated API over one dataset; `data_clock` decides which order events are visible.

    The signature/timestamp check uses `wall_clock` (clients sign with real time); the data
    clock may be frozen or moved by tests.
    """

    def __init__(
        self,
        dataset: Dataset,
        settings: ApiSettings,
        data_clock: Callable[[], int],
        wall_clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.dataset = dataset
        self.settings = settings
        self._data_clock = data_clock
        self._wall_clock = wall_clock
        self._bucket = TokenBucket(
            settings.rate_limit_per_second, settings.rate_limit_burst, monotonic
        )
        self._fault_rng = random.Random(f"{settings.seed}:faults")
        self._fault_lock = threading.Lock()
        self._counter = itertools.count(1)
        self._instance = os.urandom(3).hex().upper()
        self._log: list[tuple[str, str, int, int | None]] = []
        self._log_lock = threading.Lock()
        self._routes: dict[str, tuple[str, Callable[[ApiRequest, Shop | None], dict], bool]] = {
            SHOPS_PATH: ("GET", self._list_shops, False),
            ORDER_SEARCH_PATH: ("POST", self._search_orders, True),
            ORDER_DETAIL_PATH: ("GET", self._order_detail, True),
        }

    @property
    def request_log(self) -> list[tuple[str, str, int, int | None]]:
        """Snapshot of (method, path, http_status, api_code) for every request so far."""
        with self._log_lock:
            return list(self._log)

    def handle(self, request: ApiRequest) -> ApiResponse:
        request_id = self._request_id()
        delay = 0.0
        try:
            route = self._route(request)
            fault, delay = self._draw_faults()
            if fault == 502:
                response = ApiResponse(502, _BAD_GATEWAY_HTML, "text/html", None)
            elif fault == 500:
                raise ApiError(500, CODE_INTERNAL, "Internal error, please retry (sandbox fault)")
            else:
                response = self._serve(request, request_id, *route)
        except ApiError as err:
            response = _envelope(err.http_status, err.code, err.message, request_id, {})
        with self._log_lock:
            self._log.append((request.method, request.path, response.status, response.api_code))
        if response.api_code not in (CODE_OK, None):
            logger.debug(
                "%s %s -> %s %s", request.method, request.path, response.status, response.api_code
            )
        return replace(response, delay_seconds=delay) if delay else response

    # ---------------------------------------------------------------- pipeline

    def _route(self, request: ApiRequest) -> tuple[Callable[[ApiRequest, Shop | None], dict], bool]:
        route = self._routes.get(request.path)
        if route is None:
            raise ApiError(404, CODE_NOT_FOUND, f"Path not found: {request.path}")
        method, handler, shop_scoped = route
        if request.method != method:
            raise ApiError(405, CODE_METHOD, f"{request.path} expects {method}")
        return handler, shop_scoped

    def _serve(
        self,
        request: ApiRequest,
        request_id: str,
        handler: Callable[[ApiRequest, Shop | None], dict],
        shop_scoped: bool,
    ) -> ApiResponse:
        app_key = self._check_signature(request)
        self._check_timestamp(request)
        self._check_token(request)
        if not self._bucket.allow((app_key, request.path)):
            raise ApiError(429, CODE_THROTTLED, "Request throttled: too many requests, back off")
        shop = self._shop(request) if shop_scoped else None
        return _envelope(200, CODE_OK, "Success", request_id, handler(request, shop))

    def _draw_faults(self) -> tuple[int | None, float]:
        """Deterministic sequence from the seed; faults split evenly between 500 and 502."""
        s = self.settings
        if s.fault_rate <= 0 and s.slow_rate <= 0:
            return None, 0.0
        with self._fault_lock:
            fault_draw, kind_draw, slow_draw = (self._fault_rng.random() for _ in range(3))
        fault = (500 if kind_draw < 0.5 else 502) if fault_draw < s.fault_rate else None
        return fault, (s.slow_seconds if slow_draw < s.slow_rate else 0.0)

    def _check_signature(self, request: ApiRequest) -> str:
        app_key = request.query.get("app_key", "")
        secret = self.settings.app_secrets.get(app_key)
        if secret is None:
            raise ApiError(401, CODE_BAD_SIGNATURE, "Invalid app_key or signature")
        content_type = request.headers.get("content-type", "")
        body = b"" if content_type.startswith("multipart/") else request.body
        expected = compute_sign(secret, request.path, request.query, body)
        if not hmac.compare_digest(expected.encode(), request.query.get("sign", "").encode()):
            raise ApiError(401, CODE_BAD_SIGNATURE, "Invalid signature")
        return app_key

    def _check_timestamp(self, request: ApiRequest) -> None:
        raw = request.query.get("timestamp", "")
        window = self.settings.timestamp_window_seconds
        if not raw.isdigit() or abs(int(raw) - self._wall_clock()) > window:
            raise ApiError(
                401,
                CODE_BAD_TIMESTAMP,
                f"Invalid timestamp: must be Unix seconds within {window}s of now",
            )

    def _check_token(self, request: ApiRequest) -> None:
        token = request.headers.get("x-tts-access-token", "")
        if token in self.settings.expired_tokens:
            raise ApiError(401, CODE_EXPIRED_TOKEN, "Access token expired, refresh it")
        if token not in self.settings.access_tokens:
            raise ApiError(401, CODE_BAD_TOKEN, "Access token missing or invalid")

    def _shop(self, request: ApiRequest) -> Shop:
        cipher = request.query.get("shop_cipher", "")
        shop = self.dataset.shop_by_cipher(cipher) if cipher else None
        if shop is None:
            raise ApiError(400, CODE_UNKNOWN_SHOP, "shop_cipher missing or not authorized")
        return shop

    def _request_id(self) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        return f"{stamp}{self._instance}{next(self._counter):08d}"

    # ---------------------------------------------------------------- endpoints

    def _list_shops(self, request: ApiRequest, shop: Shop | None) -> dict:
        return {"shops": [s.api_view() for s in self.dataset.shops]}

    def _search_orders(self, request: ApiRequest, shop: Shop | None) -> dict:
        """Keyset paging: the token holds the last (sort value, id) served, not an offset.

        The data clock may move between pages; with a cursor nothing already passed is
        served twice because of inserts, and an order updated mid-walk reappears further on
        under update_time sorting (clients dedupe by id, as the reference says they must).
        """
        assert shop is not None
        query = _SearchQuery.parse(request, shop)
        as_of = self._data_clock()
        rows: list[tuple[int, str, Order]] = []
        for order in self.dataset.orders_for_shop(shop.shop_id):
            state = order.state_at(as_of)
            if state is not None and query.matches(order, state.update_time, state.status):
                key = order.create_time if query.sort_field == "create_time" else state.update_time
                rows.append((key, order.order_id, order))
        rows.sort(reverse=query.descending, key=lambda r: (r[0], r[1]))
        remaining = [r for r in rows if query.is_after_cursor(r[0], r[1])]
        page = remaining[: query.page_size]
        more = len(remaining) > len(page)
        return {
            "orders": [order.api_view(as_of) for _, _, order in page],
            "next_page_token": query.token_after(page[-1][0], page[-1][1]) if more else "",
            "total_count": len(rows),
        }

    def _order_detail(self, request: ApiRequest, shop: Shop | None) -> dict:
        """Unknown ids, other shops' ids and not-yet-created orders are silently left out."""
        assert shop is not None
        ids = [i.strip() for i in request.query.get("ids", "").split(",") if i.strip()]
        if not 1 <= len(ids) <= DETAIL_MAX_IDS or not all(i.isdigit() for i in ids):
            raise ApiError(
                400, CODE_INVALID_PARAM, f"ids must be 1-{DETAIL_MAX_IDS} comma-separated order ids"
            )
        as_of = self._data_clock()
        views = []
        for order_id in dict.fromkeys(ids):
            order = self.dataset.order_by_id(order_id)
            if order is not None and order.shop.shop_id == shop.shop_id:
                view = order.api_view(as_of)
                if view is not None:
                    views.append(view)
        return {"orders": views}


@dataclass(frozen=True)
class _SearchQuery:
    """A validated order search; page tokens are bound to its fingerprint."""

    shop_id: str
    page_size: int
    sort_field: str
    descending: bool
    filters: dict[str, int]
    order_status: str | None
    after: list | None

    @classmethod
    def parse(cls, request: ApiRequest, shop: Shop) -> _SearchQuery:
        q = request.query
        page_size = q.get("page_size", "")
        lo, hi = ORDER_PAGE_SIZE
        if not page_size.isdigit() or not lo <= int(page_size) <= hi:
            raise ApiError(400, CODE_INVALID_PARAM, f"page_size is required, {lo}-{hi}")
        sort_field = q.get("sort_field", "create_time")
        sort_order = q.get("sort_order", "DESC")
        if sort_field not in _SORT_FIELDS or sort_order not in ("ASC", "DESC"):
            raise ApiError(
                400,
                CODE_INVALID_PARAM,
                "sort_field must be create_time|update_time, sort_order ASC|DESC",
            )
        body = _json_body(request.body)
        filters = {}
        for name in _SEARCH_FILTERS:
            value = body.get(name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise ApiError(400, CODE_INVALID_PARAM, f"{name} must be Unix seconds (integer)")
            filters[name] = value
        status = body.get("order_status")
        if status is not None and status not in ORDER_STATUSES:
            raise ApiError(400, CODE_INVALID_PARAM, f"order_status must be one of {ORDER_STATUSES}")
        query = cls(
            shop.shop_id, int(page_size), sort_field, sort_order == "DESC", filters, status, None
        )
        token = q.get("page_token", "")
        return query if not token else query._with_token(token)

    def matches(self, order: Order, update_time: int, status: str) -> bool:
        f = self.filters
        if "create_time_ge" in f and order.create_time < f["create_time_ge"]:
            return False
        if "create_time_lt" in f and order.create_time >= f["create_time_lt"]:
            return False
        if "update_time_ge" in f and update_time < f["update_time_ge"]:
            return False
        if "update_time_lt" in f and update_time >= f["update_time_lt"]:
            return False
        return self.order_status is None or status == self.order_status

    def is_after_cursor(self, key: int, order_id: str) -> bool:
        if self.after is None:
            return True
        cursor = (self.after[0], self.after[1])
        return (key, order_id) < cursor if self.descending else (key, order_id) > cursor

    def _fingerprint(self) -> str:
        parts = [
            self.shop_id,
            self.sort_field,
            self.descending,
            sorted(self.filters.items()),
            self.order_status,
        ]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]

    def token_after(self, key: int, order_id: str) -> str:
        payload = json.dumps({"q": self._fingerprint(), "k": [key, order_id]}).encode()
        return base64.urlsafe_b64encode(payload).decode().rstrip("=")

    def _with_token(self, token: str) -> _SearchQuery:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            payload = json.loads(raw)
            key, order_id = payload["k"]
            valid = payload["q"] == self._fingerprint() and isinstance(key, int)
        except (binascii.Error, ValueError, KeyError, TypeError):
            valid = False
        if not valid:
            raise ApiError(
                400, CODE_INVALID_PARAM, "page_token is invalid or belongs to a different query"
            )
        return _SearchQuery(
            self.shop_id,
            self.page_size,
            self.sort_field,
            self.descending,
            self.filters,
            self.order_status,
            [key, str(order_id)],
        )


def _json_body(body: bytes) -> dict:
    if not body.strip():
        return {}
    try:
        parsed = json.loads(body)
    except (UnicodeDecodeError, ValueError) as err:
        raise ApiError(400, CODE_INVALID_PARAM, f"Body is not valid JSON: {err}") from err
    if not isinstance(parsed, dict):
        raise ApiError(400, CODE_INVALID_PARAM, "Body must be a JSON object")
    return parsed


def _envelope(status: int, code: int, message: str, request_id: str, data: dict) -> ApiResponse:
    body = {"code": code, "message": message, "request_id": request_id, "data": data}
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return ApiResponse(status, payload, "application/json", code)
