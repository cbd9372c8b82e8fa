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
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from connectors.sandbox_defaults import (
    TIKTOK_SHOP_SANDBOX_ACCESS_TOKEN,
    TIKTOK_SHOP_SANDBOX_APP_KEY,
    TIKTOK_SHOP_SANDBOX_APP_SECRET,
    TIKTOK_SHOP_SANDBOX_EXPIRED_ACCESS_TOKEN,
)
from sandbox.after_sales import (
    CANCELLATION_STATUSES,
    RETURN_STATUSES,
    AfterSales,
    Cancellation,
    ReturnRequest,
    build_after_sales,
)
from sandbox.faults import ListFaults, SeededShare, TransportDraw, TransportFaults
from sandbox.generator import ORDER_STATUSES, Dataset, Order, Shop
from sandbox.journal import RequestJournal
from sandbox.products import PRODUCT_STATUS, Product, build_products
from sandbox.reserved_orders import (
    RESERVED_ORDER_RATE,
    StaleCopy,
    cut_before_second_copy,
    reserved_side,
    with_stale_copy,
)

logger = logging.getLogger(__name__)

SHOPS_PATH = "/authorization/202309/shops"
ORDER_SEARCH_PATH = "/order/202309/orders/search"
ORDER_DETAIL_PATH = "/order/202309/orders"
RETURN_SEARCH_PATH = "/return_refund/202309/returns/search"
CANCELLATION_SEARCH_PATH = "/return_refund/202309/cancellations/search"
PRODUCT_SEARCH_PATH = "/product/202309/products/search"

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
RETURN_PAGE_SIZE = (10, 50)
DETAIL_MAX_IDS = 50
_SORT_FIELDS = ("create_time", "update_time")
_EXCLUSIVE_TIME_FILTERS = ("create_time_ge", "create_time_lt", "update_time_ge", "update_time_lt")

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
    truncate_rate: float = 0.0
    app_secrets: Mapping[str, str] = field(
        default_factory=lambda: {TIKTOK_SHOP_SANDBOX_APP_KEY: TIKTOK_SHOP_SANDBOX_APP_SECRET}
    )
    access_tokens: frozenset[str] = frozenset({TIKTOK_SHOP_SANDBOX_ACCESS_TOKEN})
    expired_tokens: frozenset[str] = frozenset({TIKTOK_SHOP_SANDBOX_EXPIRED_ACCESS_TOKEN})
    # Fault knob: the configured access tokens answer 105002 (expired) from the start, so a
    # client must renew its token at `/api/v2/token/refresh` (sandbox/tiktok_shop_auth.py).
    expire_access_token: bool = False
    # Paging fault knobs (for every paged answer, i.e. one with `next_page_token`): a share
    # of pages lose their list (`list_fault="missing"`) or carry an object in its place
    # (`"not_list"`), the rest of the envelope (total_count, next_page_token) untouched; and
    # a share `churn_page_token_rate` of the pages that have a next one (1.0: every one)
    # answer a token never given before, which leads back to the first page: the records
    # repeat, the token never does. Each knob draws from a seeded sequence of its own.
    list_fault_rate: float = 0.0
    list_fault: str = "missing"
    churn_page_token_rate: float = 0.0
    # Record knob: this share of orders (picked by a hash of seed and id) is shown in a status
    # the API might add one day, UNKNOWN_ORDER_STATUS, in search results and details alike.
    unknown_status_rate: float = 0.0
    # Record knob, on by default: this share of orders is served twice in a walk, the version
    # before its latest change on the page before or after the current one (at most one
    # order per walk; sandbox/reserved_orders.py); clients keep the newest update_time.
    reserved_order_rate: float = RESERVED_ORDER_RATE


# A status name the 202309 list does not have: what a newly added status looks like.
UNKNOWN_ORDER_STATUS = "AWAITING_VERIFICATION"


@dataclass(frozen=True)
class ApiRequest:
    """A request as received: decoded query values, lower-case header names, raw body bytes."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes = b""
    # Values of `{name}` segments of a templated route (e.g. a statement id), set by routing.
    path_params: Mapping[str, str] = field(default_factory=dict)
    # The route as registered (`.../statements/{statement_id}/...`), set by routing: limits
    # are per endpoint, so every statement's transactions share one bucket.
    endpoint: str = ""


@dataclass(frozen=True)
class ApiResponse:
    """What to send; `delay_seconds` is served by the HTTP layer (slow-response injection)."""

    status: int
    body: bytes
    content_type: str
    api_code: int | None
    delay_seconds: float = 0.0
    # Send only this many bytes of the body (with the full Content-Length), then hang up:
    # a connection cut mid-answer, as flaky proxies and mobile networks do.
    truncate_at: int | None = None

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
        after_sales: AfterSales | None = None,
    ) -> None:
        self.dataset = dataset
        self.after_sales = after_sales or build_after_sales(dataset)
        self.products = build_products(dataset)
        self.settings = settings
        self._data_clock = data_clock
        self._wall_clock = wall_clock
        self._bucket = TokenBucket(
            settings.rate_limit_per_second, settings.rate_limit_burst, monotonic
        )
        self._faults = TransportFaults(f"{settings.seed}:faults", settings)
        self._token_lock = threading.Lock()
        self._list_faults = ListFaults(
            settings.list_fault_rate, settings.list_fault, str(settings.seed)
        )
        self._churn = SeededShare(settings.churn_page_token_rate, f"{settings.seed}:churn")
        self._journal = RequestJournal()
        self._issued_tokens: frozenset[str] = frozenset()
        self._routes: dict[str, tuple[str, Callable[[ApiRequest, Shop | None], dict], bool]] = {
            SHOPS_PATH: ("GET", self._list_shops, False),
            ORDER_SEARCH_PATH: ("POST", self._search_orders, True),
            ORDER_DETAIL_PATH: ("GET", self._order_detail, True),
            RETURN_SEARCH_PATH: ("POST", self._search_returns, True),
            CANCELLATION_SEARCH_PATH: ("POST", self._search_cancellations, True),
            PRODUCT_SEARCH_PATH: ("POST", self._search_products, True),
        }

    @property
    def request_log(self) -> list[tuple[str, str, int, int | None]]:
        """Snapshot of (method, path, http_status, api_code) for every request so far."""
        return self._journal.entries()

    def as_of(self) -> int:
        """The data clock's now: what handlers registered from other modules show data at."""
        return self._data_clock()

    def register_route(
        self,
        path: str,
        method: str,
        handler: Callable[[ApiRequest, Shop | None], dict],
        shop_scoped: bool = True,
    ) -> None:
        """Serve one more endpoint behind the same gateway (signing, token, throttle, faults).

        `path` may hold `{name}` segments (e.g. `/finance/202309/statements/{statement_id}/
        statement_transactions`); their values reach the handler as `request.path_params`.
        Endpoints of other domains (finance, analytics, service) register themselves this way.
        """
        self._routes[path] = (method, handler, shop_scoped)

    def handle(self, request: ApiRequest) -> ApiResponse:
        request_id = self._journal.next_request_id()
        draw = TransportDraw()
        try:
            routed, handler, shop_scoped = self._route(request)
            draw = self._faults.draw()
            # Faults split evenly between a 500 envelope and a 502 HTML page.
            if draw.fault is not None and draw.fault < 0.5:
                raise ApiError(500, CODE_INTERNAL, "Internal error, please retry (sandbox fault)")
            if draw.fault is not None:
                response = ApiResponse(502, _BAD_GATEWAY_HTML, "text/html", None)
            else:
                response = self._serve(routed, request_id, handler, shop_scoped)
        except ApiError as err:
            response = _envelope(err.http_status, err.code, err.message, request_id, {})
        self._journal.record(request.method, request.path, response.status, response.api_code)
        if response.api_code not in (CODE_OK, None):
            logger.debug(
                "%s %s -> %s %s", request.method, request.path, response.status, response.api_code
            )
        return draw.apply(response)

    # ---------------------------------------------------------------- pipeline

    def _route(
        self, request: ApiRequest
    ) -> tuple[ApiRequest, Callable[[ApiRequest, Shop | None], dict], bool]:
        """The route serving this path, and the request with its path parameters filled in."""
        route, params, endpoint = self._routes.get(request.path), {}, request.path
        if route is None:
            for template, candidate in self._routes.items():
                params = _match_template(template, request.path)
                if params is not None:
                    route, endpoint = candidate, template
                    break
        if route is None:
            raise ApiError(404, CODE_NOT_FOUND, f"Path not found: {request.path}")
        method, handler, shop_scoped = route
        if request.method != method:
            raise ApiError(405, CODE_METHOD, f"{request.path} expects {method}")
        routed = replace(request, path_params=params or {}, endpoint=endpoint)
        return routed, handler, shop_scoped

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
        if not self._bucket.allow((app_key, request.endpoint or request.path)):
            raise ApiError(429, CODE_THROTTLED, "Request throttled: too many requests, back off")
        shop = self._shop(request) if shop_scoped else None
        churned = request.query.get("page_token", "").startswith(_CHURNED_TOKEN_PREFIX)
        if churned and self.settings.churn_page_token_rate > 0:
            request = replace(request, query=_without(request.query, "page_token"))
        data = self._page_faults(handler(request, shop), request_id)
        return _envelope(200, CODE_OK, "Success", request_id, data)

    def _page_faults(self, data: dict, request_id: str) -> dict:
        """The paging fault knobs, applied to a paged answer (see `ApiSettings`)."""
        if "next_page_token" not in data:
            return data
        if data["next_page_token"] and self._churn.hit():
            data = {**data, "next_page_token": f"{_CHURNED_TOKEN_PREFIX}{request_id}"}
        return self._list_faults.apply(data)

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

    def accept_access_token(self, token: str) -> None:
        """A token the sandbox's token endpoint has just issued."""
        with self._token_lock:
            self._issued_tokens = self._issued_tokens | {token}

    def _check_token(self, request: ApiRequest) -> None:
        token = request.headers.get("x-tts-access-token", "")
        if token in self._issued_tokens:
            return
        expired = self.settings.expired_tokens
        if self.settings.expire_access_token:
            expired = expired | self.settings.access_tokens
        if token in expired:
            raise ApiError(401, CODE_EXPIRED_TOKEN, "Access token expired, refresh it")
        if token not in self.settings.access_tokens:
            raise ApiError(401, CODE_BAD_TOKEN, "Access token missing or invalid")

    def _shop(self, request: ApiRequest) -> Shop:
        cipher = request.query.get("shop_cipher", "")
        shop = self.dataset.shop_by_cipher(cipher) if cipher else None
        if shop is None:
            raise ApiError(400, CODE_UNKNOWN_SHOP, "shop_cipher missing or not authorized")
        return shop

    # ---------------------------------------------------------------- endpoints

    def _list_shops(self, request: ApiRequest, shop: Shop | None) -> dict:
        return {"shops": [s.api_view() for s in self.dataset.shops]}

    def _search_orders(self, request: ApiRequest, shop: Shop | None) -> dict:
        assert shop is not None
        orders = self.dataset.served_orders_for_shop(shop.shop_id)
        return self._search(
            request, shop, _ORDER_SEARCH, "orders", orders, _order_row, self._stale_copy
        )

    def _stale_copy(self, order: Order, as_of: int) -> StaleCopy | None:
        """The version before the order's latest change, if the order is one re-served."""
        side = reserved_side(self.settings.seed, self.settings.reserved_order_rate, order.order_id)
        state = order.state_at(as_of)
        if side is None or state is None or state.update_time == order.create_time:
            return None
        before = state.update_time - 1
        row = _order_row(order, before)
        assert row is not None  # it existed then: its latest change came after its creation
        return StaleCopy(row, lambda: self._view(order, before), side)

    def reserved_order_side(self, order_id: str) -> int | None:
        """Whether (and on which side) searches serve a stale copy of this order (truth)."""
        return reserved_side(self.settings.seed, self.settings.reserved_order_rate, order_id)

    def _search_returns(self, request: ApiRequest, shop: Shop | None) -> dict:
        assert shop is not None
        returns = self.after_sales.returns_for_shop(shop.shop_id)
        return self._search(request, shop, _RETURN_SEARCH, "return_orders", returns, _return_row)

    def _search_cancellations(self, request: ApiRequest, shop: Shop | None) -> dict:
        assert shop is not None
        cancellations = self.after_sales.cancellations_for_shop(shop.shop_id)
        return self._search(
            request, shop, _CANCELLATION_SEARCH, "cancellations", cancellations, _cancel_row
        )

    def _search_products(self, request: ApiRequest, shop: Shop | None) -> dict:
        assert shop is not None
        products = self.products.get(shop.shop_id, [])
        return self._search(request, shop, _PRODUCT_SEARCH, "products", products, _product_row)

    def _search(
        self,
        request: ApiRequest,
        shop: Shop,
        spec: _SearchSpec,
        list_field: str,
        records: Iterable[Any],
        row_at: Callable[[Any, int], _Searchable | None],
        stale_at: Callable[[Any, int], StaleCopy | None] | None = None,
    ) -> dict:
        """Parse the query, keep each record visible at the data clock, serve one page;
        `stale_at` names the records also served in an older version (orders only)."""
        query = _SearchQuery.parse(request, shop, spec)
        as_of = self._data_clock()
        found = []
        copies: dict[str, StaleCopy] = {}
        for record in records:
            row = row_at(record, as_of)
            if row is None:
                continue
            found.append((row, lambda r=record: self._view(r, as_of)))
            copy = stale_at(record, as_of) if stale_at else None
            if copy is not None and query.matches(copy.row):
                copies[row.id] = copy
        return _keyset_page(query, found, list_field, copies)

    def _view(self, record: Any, as_of: int) -> dict:
        """A record as the API shows it, with the unknown-status knob applied to orders."""
        view = record.api_view(as_of)
        if isinstance(record, Order) and self.order_shown_in_unknown_status(record.order_id):
            view["status"] = UNKNOWN_ORDER_STATUS
        return view

    def order_shown_in_unknown_status(self, order_id: str) -> bool:
        """Whether the unknown-status knob shows this order in UNKNOWN_ORDER_STATUS (truth)."""
        rate = self.settings.unknown_status_rate
        if rate <= 0:
            return False
        digest = hashlib.sha256(f"{self.settings.seed}:unknown-status:{order_id}".encode())
        return int.from_bytes(digest.digest()[:4], "big") / 2**32 < rate

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
                view = self._view(order, as_of)
                if view is not None:
                    views.append(view)
        return {"orders": views}


@dataclass(frozen=True)
class _Searchable:
    """What a search filters and sorts on, whatever the record (order, return, cancellation)."""

    id: str
    create_time: int
    update_time: int
    status: str


@dataclass(frozen=True)
class _SearchSpec:
    """What differs between the search endpoints: page-size limits, default sort order and
    the body field that filters by status (orders take one status, returns and
    cancellations a list of them)."""

    page_size: tuple[int, int]
    default_sort_order: str
    status_field: str
    statuses: tuple[str, ...]
    status_is_list: bool
    # Orders, returns and cancellations bound time filters with an exclusive `_lt`; products
    # with an inclusive `_le` (reference). A filter the endpoint does not know is ignored.
    time_filters: tuple[str, ...] = _EXCLUSIVE_TIME_FILTERS


# Reference: orders 1-100 newest first; returns 10-50 oldest first. Cancellations are not
# documented: the sandbox treats them like returns.
_ORDER_SEARCH = _SearchSpec(ORDER_PAGE_SIZE, "DESC", "order_status", ORDER_STATUSES, False)
_RETURN_SEARCH = _SearchSpec(RETURN_PAGE_SIZE, "ASC", "return_status", RETURN_STATUSES, True)
_CANCELLATION_SEARCH = _SearchSpec(
    RETURN_PAGE_SIZE, "ASC", "cancel_status", CANCELLATION_STATUSES, True
)
# Sort order and status filter of products are not in the reference: sandbox choices.
_PRODUCT_SEARCH = _SearchSpec(
    ORDER_PAGE_SIZE,
    "DESC",
    "status",
    (PRODUCT_STATUS,),
    False,
    ("create_time_ge", "create_time_le", "update_time_ge", "update_time_le"),
)


def _order_row(order: Order, as_of: int) -> _Searchable | None:
    state = order.state_at(as_of)
    if state is None:
        return None
    return _Searchable(order.order_id, order.create_time, state.update_time, state.status)


def _return_row(request: ReturnRequest, as_of: int) -> _Searchable | None:
    state = request.state_at(as_of)
    if state is None:
        return None
    return _Searchable(request.return_id, request.create_time, state[1], state[0])


def _cancel_row(cancellation: Cancellation, as_of: int) -> _Searchable | None:
    state = cancellation.state_at(as_of)
    if state is None:
        return None
    return _Searchable(cancellation.cancel_id, cancellation.create_time, state[1], state[0])


def _product_row(product: Product, as_of: int) -> _Searchable | None:
    update_time = product.update_time_at(as_of)
    if update_time is None:
        return None
    return _Searchable(product.product_id, product.create_time, update_time, PRODUCT_STATUS)


def _keyset_page(
    query: _SearchQuery, found: list, list_field: str, copies: dict[str, StaleCopy] | None = None
) -> dict:
    """One page of a search; `found` holds (_Searchable, view factory) pairs, `copies` the
    stale versions served too (sandbox/reserved_orders.py).

    Keyset paging: the token holds the last (sort value, id, copy) served, not an offset. The data clock may move between pages; with a cursor nothing already passed is
    served twice because of inserts, and a record updated mid-walk reappears further on under
    update_time sorting (clients dedupe by id, as the reference says they must).
    """

    def sort_key(row: _Searchable) -> int:
        return row.create_time if query.sort_field == "create_time" else row.update_time

    rows = [(sort_key(row), row.id, 0, view) for row, view in found if query.matches(row)]
    rows.sort(reverse=query.descending, key=lambda r: r[:3])
    total = len(rows)
    rows = with_stale_copy(rows, copies or {}, sort_key, query.descending)
    remaining = [r for r in rows if query.is_after_cursor(r[:3])]
    page = cut_before_second_copy(remaining[: query.page_size])
    more = len(remaining) > len(page)
    return {
        list_field: [r[3]() for r in page],
        "next_page_token": query.token_after(page[-1][:3]) if more else "",
        "total_count": total,
    }


@dataclass(frozen=True)
class _SearchQuery:
    """A validated search; page tokens are bound to its fingerprint."""

    shop_id: str
    page_size: int
    sort_field: str
    descending: bool
    filters: dict[str, int]
    statuses: tuple[str, ...] | None
    after: list | None

    @classmethod
    def parse(cls, request: ApiRequest, shop: Shop, spec: _SearchSpec) -> _SearchQuery:
        q = request.query
        page_size = q.get("page_size", "")
        lo, hi = spec.page_size
        if not page_size.isdigit() or not lo <= int(page_size) <= hi:
            raise ApiError(400, CODE_INVALID_PARAM, f"page_size is required, {lo}-{hi}")
        sort_field = q.get("sort_field", "create_time")
        sort_order = q.get("sort_order", spec.default_sort_order)
        if sort_field not in _SORT_FIELDS or sort_order not in ("ASC", "DESC"):
            raise ApiError(
                400,
                CODE_INVALID_PARAM,
                "sort_field must be create_time|update_time, sort_order ASC|DESC",
            )
        body = _json_body(request.body)
        filters = {}
        for name in spec.time_filters:
            value = body.get(name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise ApiError(400, CODE_INVALID_PARAM, f"{name} must be Unix seconds (integer)")
            filters[name] = value
        query = cls(
            shop.shop_id,
            int(page_size),
            sort_field,
            sort_order == "DESC",
            filters,
            _statuses(body, spec),
            None,
        )
        token = q.get("page_token", "")
        return query if not token else query._with_token(token)

    def matches(self, row: _Searchable) -> bool:
        f = self.filters
        if "create_time_ge" in f and row.create_time < f["create_time_ge"]:
            return False
        if "create_time_lt" in f and row.create_time >= f["create_time_lt"]:
            return False
        if "update_time_ge" in f and row.update_time < f["update_time_ge"]:
            return False
        if "update_time_lt" in f and row.update_time >= f["update_time_lt"]:
            return False
        if "create_time_le" in f and row.create_time > f["create_time_le"]:
            return False
        if "update_time_le" in f and row.update_time > f["update_time_le"]:
            return False
        return self.statuses is None or row.status in self.statuses

    def is_after_cursor(self, position: tuple) -> bool:
        if self.after is None:
            return True
        cursor = tuple(self.after)
        return position < cursor if self.descending else position > cursor

    def _fingerprint(self) -> str:
        parts = [
            self.shop_id,
            self.sort_field,
            self.descending,
            sorted(self.filters.items()),
            self.statuses,
        ]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]

    def token_after(self, position: tuple) -> str:
        payload = json.dumps({"q": self._fingerprint(), "k": list(position)}).encode()
        return base64.urlsafe_b64encode(payload).decode().rstrip("=")

    def _with_token(self, token: str) -> _SearchQuery:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            payload = json.loads(raw)
            key, record_id, copy = payload["k"]
            valid = (
                payload["q"] == self._fingerprint()
                and isinstance(key, int)
                and isinstance(copy, int)
            )
        except (binascii.Error, ValueError, KeyError, TypeError):
            valid = False
        if not valid:
            raise ApiError(
                400, CODE_INVALID_PARAM, "page_token is invalid or belongs to a different query"
            )
        return replace(self, after=[key, str(record_id), copy])


def _statuses(body: dict, spec: _SearchSpec) -> tuple[str, ...] | None:
    value = body.get(spec.status_field)
    if value is None:
        return None
    values = value if spec.status_is_list and isinstance(value, list) else [value]
    shape_ok = spec.status_is_list == isinstance(value, list)
    if not shape_ok or not values or any(v not in spec.statuses for v in values):
        shape = "a list of" if spec.status_is_list else "one of"
        raise ApiError(
            400,
            CODE_INVALID_PARAM,
            f"{spec.status_field} must be {shape} {', '.join(spec.statuses)}",
        )
    return tuple(values)


def _match_template(template: str, path: str) -> dict[str, str] | None:
    """`{name}` segments of `template` bound to `path`'s segments, or None if it does not fit."""
    if "{" not in template:
        return None
    want, got = template.split("/"), path.split("/")
    if len(want) != len(got):
        return None
    params = {}
    for pattern, segment in zip(want, got, strict=True):
        if pattern.startswith("{") and pattern.endswith("}") and segment:
            params[pattern[1:-1]] = segment
        elif pattern != segment:
            return None
    return params


_CHURNED_TOKEN_PREFIX = "churned-"


def _without(query: Mapping[str, str], name: str) -> dict[str, str]:
    return {k: v for k, v in query.items() if k != name}


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
