"""TikTok Shop Partner API client (API version 202309).

Everything that is peculiar to this API lives here: HMAC request signing, the
`{code, message, request_id, data}` envelope whose `code` (not the HTTP status) decides
success, page tokens, page-size limits, and which failures are worth retrying. Configuration
comes from environment variables only; the app secret only signs and the access token only
travels in the `x-tts-access-token` header, and neither appears in logs, errors or reprs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

from connectors.envelope import looks_truncated, read_envelope
from connectors.paging import PageWalk, reported_total
from connectors.rate_limit import RateLimiter, rate_from_env, shared_limiter
from connectors.retry import RetryableError, RetryPolicy, run_with_retries
from connectors.session import SessionOwner
from connectors.tiktok_shop_token import (
    PRODUCTION_AUTH_BASE_URL,
    refresh_access_token,
)
from connectors.transport import no_answer_hint, send

logger = logging.getLogger(__name__)

PRODUCTION_BASE_URL = "https://open-api.tiktokglobalshop.com"

ENV_BASE_URL = "TIKTOK_SHOP_BASE_URL"
ENV_APP_KEY = "TIKTOK_SHOP_APP_KEY"
ENV_APP_SECRET = "TIKTOK_SHOP_APP_SECRET"
ENV_ACCESS_TOKEN = "TIKTOK_SHOP_ACCESS_TOKEN"
ENV_REFRESH_TOKEN = "TIKTOK_SHOP_REFRESH_TOKEN"
ENV_AUTH_BASE_URL = "TIKTOK_SHOP_AUTH_BASE_URL"
ENV_MAX_REQUESTS_PER_SECOND = "TIKTOK_SHOP_MAX_REQUESTS_PER_SECOND"
# The reference's (old, unconfirmed) figure is ~50 requests/second per app and endpoint;
# pacing a little below it leaves room for other tools using the same app.
DEFAULT_MAX_REQUESTS_PER_SECOND = 40.0
CREDENTIAL_VARIABLES = (ENV_APP_KEY, ENV_APP_SECRET, ENV_ACCESS_TOKEN)
# Any one of these set says "this run uses TikTok Shop": then every credential is required.
SETTING_VARIABLES = (ENV_BASE_URL, *CREDENTIAL_VARIABLES, ENV_REFRESH_TOKEN, ENV_AUTH_BASE_URL)

ACCESS_TOKEN_HEADER = "x-tts-access-token"
SHOPS_PATH = "/authorization/202309/shops"
ORDER_SEARCH_PATH = "/order/202309/orders/search"
ORDER_DETAIL_PATH = "/order/202309/orders"
RETURN_SEARCH_PATH = "/return_refund/202309/returns/search"
CANCELLATION_SEARCH_PATH = "/return_refund/202309/cancellations/search"
PRODUCT_SEARCH_PATH = "/product/202309/products/search"

ORDER_PAGE_SIZE_LIMITS = (1, 100)
# Reference: returns 10-50. Cancellations are undocumented; assumed to match returns.
RETURN_PAGE_SIZE_LIMITS = (10, 50)
CANCELLATION_PAGE_SIZE_LIMITS = RETURN_PAGE_SIZE_LIMITS
PRODUCT_PAGE_SIZE_LIMITS = (1, 100)
ORDER_DETAIL_MAX_IDS = 50
THROTTLED_CODE = 36009002
EXPIRED_TOKEN_CODE = 105002
# Never part of the signed string (reference, signing step 1).
_UNSIGNED_PARAMS = frozenset({"sign", "access_token"})
_SNIPPET_CHARS = 200
_REDACTED = "[REDACTED]"


# ------------------------------------------------------------------------------ signing


def sign_request(app_secret: str, path: str, query: Mapping[str, str], body: bytes | None) -> str:
    """The `sign` query parameter, computed as TikTok's partner documentation specifies.

    HMAC-SHA256 keyed by the app secret over `secret + path + sorted key/value pairs + body +
    secret`. Keys sort by their UTF-8 bytes; the body is signed as the exact bytes sent.
    """
    keys = sorted((key for key in query if key not in _UNSIGNED_PARAMS), key=_utf8)
    message = _utf8(path) + b"".join(_utf8(key) + _utf8(query[key]) for key in keys)
    if body:
        message += body
    secret = _utf8(app_secret)
    return hmac.new(secret, secret + message + secret, hashlib.sha256).hexdigest()


def _utf8(text: str) -> bytes:
    return str(text).encode("utf-8")


# ------------------------------------------------------------------------------- errors


class TikTokShopError(Exception):
    """Anything that went wrong talking to TikTok Shop."""


class TikTokShopConfigError(TikTokShopError):
    """The TIKTOK_SHOP_* environment variables do not make a usable configuration."""

    def __init__(self, message: str, missing: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.missing = tuple(missing)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.missing))


class TikTokShopNotConfiguredError(TikTokShopConfigError):
    """None of the TIKTOK_SHOP_* variables is set: this seller has not connected TikTok Shop
    (or this run forgot to). A run skips the source with this message; it never falls back to
    a sandbox that may not be running."""


# What to do next for the codes the reference names; other codes only carry the API's message.
_NEXT_STEPS = {
    106001: f"Check {ENV_APP_KEY} and {ENV_APP_SECRET} belong to the same app.",
    EXPIRED_TOKEN_CODE: (
        f"The access token has expired: set {ENV_REFRESH_TOKEN} so the client renews it, "
        f"or re-authorize and update {ENV_ACCESS_TOKEN}."
    ),
    105005: "The app lacks the scope for this endpoint: add it in the Partner Center.",
    THROTTLED_CODE: "Throttled: lower the request rate or raise the retry back-off.",
    36009004: "Timestamp or request reused: check the machine's clock is in sync (UTC).",
}


class TikTokShopApiError(TikTokShopError):
    """The API answered with a non-zero `code`; the code, not the HTTP status, says why."""

    def __init__(
        self, code: int, message: str, request_id: str, http_status: int, method: str, path: str
    ) -> None:
        self.code = code
        self.message = message
        self.request_id = request_id
        self.http_status = http_status
        self.method = method
        self.path = path
        super().__init__(
            f"TikTok Shop API error code {code} on {method} {path} "
            f"(HTTP {http_status}, request_id {request_id or 'none'}): {message or 'no message'}"
            + (f". {_NEXT_STEPS[code]}" if code in _NEXT_STEPS else "")
        )

    def __reduce__(self) -> tuple[Any, ...]:
        args = (self.code, self.message, self.request_id, self.http_status, self.method, self.path)
        return (type(self), args)


class TikTokShopResponseError(TikTokShopError):
    """The API answered with something that is not a well-formed envelope (or paging broke)."""

    def __init__(
        self,
        message: str,
        method: str = "",
        path: str = "",
        http_status: int | None = None,
        request_id: str = "",
    ) -> None:
        super().__init__(message)
        self.method = method
        self.path = path
        self.http_status = http_status
        self.request_id = request_id

    def __reduce__(self) -> tuple[Any, ...]:
        args = (str(self), self.method, self.path, self.http_status, self.request_id)
        return (type(self), args)


class TikTokShopUnreachableError(TikTokShopError):
    """No answer at all from the base URL (connection refused, DNS, timeouts)."""

    def __init__(self, message: str, base_url: str = "", method: str = "", path: str = "") -> None:
        super().__init__(message)
        self.base_url = base_url
        self.method = method
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.base_url, self.method, self.path))


# ----------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class TikTokShopSettings:
    """Where to call and with which credentials; the secret and token never show in a repr."""

    base_url: str
    app_key: str
    app_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    max_requests_per_second: float = DEFAULT_MAX_REQUESTS_PER_SECOND
    # Optional: with it, an expired access token (105002) is renewed once and the call retried.
    refresh_token: str = field(default="", repr=False)
    auth_base_url: str = PRODUCTION_AUTH_BASE_URL

    def __post_init__(self) -> None:
        base_url = self.base_url.strip().rstrip("/")
        if not base_url.startswith(("http://", "https://")):
            raise TikTokShopConfigError(
                f"{ENV_BASE_URL}={base_url!r} must start with http:// or https:// "
                f"(e.g. {PRODUCTION_BASE_URL})"
            )
        object.__setattr__(self, "base_url", base_url)

    @staticmethod
    def is_configured(environ: Mapping[str, str] | None = None) -> bool:
        """Whether any TIKTOK_SHOP_* setting is present (then `from_env` needs all of them)."""
        env = os.environ if environ is None else environ
        return any((env.get(name) or "").strip() for name in SETTING_VARIABLES)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> TikTokShopSettings:
        """Credentials from the environment only.

        None set: not configured (`TikTokShopNotConfiguredError`) — the sandbox is used only
        when a run points here on purpose (`sandbox_defaults.sandbox_environment`, as
        `linkstar run --with-sandbox`, `make dev` and the tests do). Some set: an error naming
        the missing ones, so a half-configured run never sends one app's credentials or a
        sandbox's to another server. All set: the given base URL, or production.
        """
        env = os.environ if environ is None else environ
        names = (ENV_BASE_URL, *CREDENTIAL_VARIABLES)
        values = {name: (env.get(name) or "").strip() for name in names}
        base_url = values[ENV_BASE_URL]
        auth_base_url = (env.get(ENV_AUTH_BASE_URL) or "").strip()
        try:
            pace = rate_from_env(ENV_MAX_REQUESTS_PER_SECOND, DEFAULT_MAX_REQUESTS_PER_SECOND, env)
        except ValueError as err:
            raise TikTokShopConfigError(str(err)) from None
        if not cls.is_configured(env):
            raise TikTokShopNotConfiguredError(
                f"TikTok Shop is not configured: set {', '.join(CREDENTIAL_VARIABLES)} "
                f"({ENV_BASE_URL} defaults to production), or run `linkstar run "
                "--with-sandbox` to load from the local sandbox.",
                missing=CREDENTIAL_VARIABLES,
            )
        missing = [name for name in CREDENTIAL_VARIABLES if not values[name]]
        if missing:
            raise TikTokShopConfigError(
                f"TikTok Shop credentials are incomplete: {', '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not set. Set "
                f"{'it' if len(missing) == 1 else 'them'} too, or unset every TIKTOK_SHOP_* "
                "variable if this seller does not use TikTok Shop.",
                missing=missing,
            )
        return cls(
            base_url=base_url or PRODUCTION_BASE_URL,
            app_key=values[ENV_APP_KEY],
            app_secret=values[ENV_APP_SECRET],
            access_token=values[ENV_ACCESS_TOKEN],
            max_requests_per_second=pace,
            refresh_token=(env.get(ENV_REFRESH_TOKEN) or "").strip(),
            auth_base_url=auth_base_url or PRODUCTION_AUTH_BASE_URL,
        )


# ----------------------------------------------------------------------------- response


@dataclass(frozen=True)
class ApiResponse:
    """One successful call, with what is needed to land and replay it (no secrets)."""

    method: str
    path: str
    query: dict[str, str]  # as sent, without `sign`
    request_body: bytes | None
    http_status: int
    request_id: str
    fetched_at: datetime  # aware, UTC
    text: str  # the response body exactly as received
    data: dict[str, Any]
    attempts: int


# Where a list endpoint's records sit under `data`: a key, or a function of the page where
# the key varies (unsettled orders).
ListKey = str | Callable[[ApiResponse], str]


@dataclass(frozen=True)
class _Request:
    """One logical call; every attempt re-stamps and re-signs it."""

    method: str
    path: str
    params: Mapping[str, str]
    body: bytes | None
    shop_cipher: str | None
    # The path as documented when it carries an id (`.../statements/{statement_id}/...`):
    # limits are per endpoint, so one bucket serves every statement.
    path_template: str | None = None
    # Which page of a walk this is ("page 2 (page_token 'x')"), named in its errors: an answer
    # that is not an envelope carries no request id, so the page is what locates it.
    page: str = ""

    @property
    def endpoint(self) -> str:
        return f"{self.method} {self.path}" + (f" {self.page}" if self.page else "")

    @property
    def rate_limit_key(self) -> str:
        return self.path_template or self.path


# ------------------------------------------------------------------------------- client


class TikTokShopClient(SessionOwner):
    """Signed, retried, paged calls to the TikTok Shop Partner API (one seller authorization)."""

    def __init__(
        self,
        settings: TikTokShopSettings,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        limiter_for: Callable[[str], RateLimiter] | None = None,
    ) -> None:
        self.settings = settings
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._adopt_session(session)
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._limiter_for = limiter_for or self._shared_limiter
        # The token in use: the configured one until a refresh replaces it (memory only).
        self._access_token = settings.access_token
        self._refresh_token = settings.refresh_token
        self._token_lock = threading.Lock()

    def _shared_limiter(self, path: str) -> RateLimiter:
        """Limits are per app and endpoint: one process-wide bucket per (base URL, endpoint
        path, with ids left as their `{name}` placeholders)."""
        rate = self.settings.max_requests_per_second
        burst = max(1, int(rate))
        return shared_limiter("tiktok_shop", self.settings.base_url + path, rate, burst)

    def __repr__(self) -> str:
        return (
            f"TikTokShopClient(base_url={self.settings.base_url!r}, "
            f"app_key={self.settings.app_key!r})"
        )

    # -- endpoints ---------------------------------------------------------------------------

    def get_authorized_shops(self) -> ApiResponse:
        """Shops covered by the access token; each `cipher` is the `shop_cipher` of later calls."""
        return self._call(_Request("GET", SHOPS_PATH, {}, None, None))

    def search_orders(
        self, shop_cipher: str, *, page_size: int = 100, **time_bounds: int
    ) -> Iterator[ApiResponse]:
        """Every page of orders matching the filters, one response per page.

        `time_bounds`: `create_time_ge`, `create_time_lt`, `update_time_ge`, `update_time_lt`
        in Unix seconds; both `_lt` bounds are exclusive (products use an inclusive `_le`
        instead). Arguments are checked now, before anything is sent, not on first `next`.
        """
        return self._search(
            ORDER_SEARCH_PATH, ORDER_PAGE_SIZE_LIMITS, shop_cipher, page_size, time_bounds, "orders"
        )

    def search_returns(
        self, shop_cipher: str, *, page_size: int = 50, **time_bounds: int
    ) -> Iterator[ApiResponse]:
        """Every page of return and refund requests (`data.return_orders`); the same time
        bounds as orders; page size 10-50."""
        return self._search(
            RETURN_SEARCH_PATH,
            RETURN_PAGE_SIZE_LIMITS,
            shop_cipher,
            page_size,
            time_bounds,
            "return_orders",
        )

    def search_cancellations(
        self, shop_cipher: str, *, page_size: int = 50, **time_bounds: int
    ) -> Iterator[ApiResponse]:
        """Every page of cancellations (`data.cancellations`); the same time bounds as orders."""
        return self._search(
            CANCELLATION_SEARCH_PATH,
            CANCELLATION_PAGE_SIZE_LIMITS,
            shop_cipher,
            page_size,
            time_bounds,
            "cancellations",
        )

    def search_products(
        self, shop_cipher: str, *, page_size: int = 100, **time_bounds: int
    ) -> Iterator[ApiResponse]:
        """Every page of products with their SKUs, prices and stock (`data.products`).

        Unlike orders, the upper bounds are INCLUSIVE: `update_time_le`, `create_time_le`
        (reference); passing an `_lt` bound here is refused rather than silently ignored.
        """
        return self._search(
            PRODUCT_SEARCH_PATH,
            PRODUCT_PAGE_SIZE_LIMITS,
            shop_cipher,
            page_size,
            time_bounds,
            "products",
            _INCLUSIVE_TIME_BOUNDS,
        )

    def search_pages(
        self,
        path: str,
        limits: tuple[int, int],
        shop_cipher: str,
        page_size: int,
        time_bounds: Mapping[str, int | None],
        *,
        list_key: ListKey,
    ) -> Iterator[ApiResponse]:
        """Every page of a POST search described in its own module (e.g. affiliate orders):
        time bounds in the body with exclusive `_lt` upper bounds, like orders; the records
        sit under `data[list_key]`."""
        return self._search(path, limits, shop_cipher, page_size, time_bounds, list_key)

    def _search(
        self,
        path: str,
        limits: tuple[int, int],
        shop_cipher: str,
        page_size: int,
        time_bounds: Mapping[str, int | None],
        list_key: ListKey,
        allowed_bounds: tuple[str, ...] | None = None,
    ) -> Iterator[ApiResponse]:
        _require_cipher(shop_cipher)
        _check_page_size(page_size, limits, path)
        filters = _time_filters(path, time_bounds, allowed_bounds or _TIME_BOUNDS)
        return self._pages("POST", path, shop_cipher, page_size, filters, list_key=list_key)

    def get_order_details(self, shop_cipher: str, ids: Sequence[str]) -> list[ApiResponse]:
        """Details for any number of order ids (duplicates dropped), in calls of at most 50 ids.

        The API silently leaves out ids it does not know, so callers compare what came back.
        """
        _require_cipher(shop_cipher)
        if isinstance(ids, str | bytes):
            raise TypeError("ids must be a sequence of order ids, not a single string")
        unique = list(dict.fromkeys(str(order_id) for order_id in ids))
        chunks = [
            unique[i : i + ORDER_DETAIL_MAX_IDS]
            for i in range(0, len(unique), ORDER_DETAIL_MAX_IDS)
        ]
        return [
            self._call(
                _Request("GET", ORDER_DETAIL_PATH, {"ids": ",".join(chunk)}, None, shop_cipher)
            )
            for chunk in chunks
        ]

    def get(
        self,
        path: str,
        shop_cipher: str | None,
        params: Mapping[str, Any] | None = None,
        *,
        path_template: str | None = None,
    ) -> ApiResponse:
        """One signed GET (shop-scoped when `shop_cipher` is given), retried like any call.

        For endpoints described in their own modules (finance, analytics, ...): they name
        the path and parameters, this client signs, paces, retries and checks the envelope.
        A path holding an id names its `path_template`, the endpoint its rate limit is for.
        """
        if shop_cipher is not None:
            _require_cipher(shop_cipher)
        request = _Request("GET", path, _query_values(params), None, shop_cipher, path_template)
        return self._call(request)

    def get_pages(
        self,
        path: str,
        shop_cipher: str,
        *,
        page_size: int,
        limits: tuple[int, int],
        list_key: ListKey,
        params: Mapping[str, Any] | None = None,
        path_template: str | None = None,
    ) -> Iterator[ApiResponse]:
        """Every page of a GET list endpoint whose filters travel in the query (finance,
        analytics); paged by `page_token` like the searches, records under `data[list_key]`
        (or under the key a function of the page names). Checked before anything is sent.
        A path holding an id names its `path_template`, as for `get`."""
        _require_cipher(shop_cipher)
        _check_page_size(page_size, limits, path)
        query = _query_values(params)
        return self._pages(
            "GET", path, shop_cipher, page_size, None, query, path_template, list_key=list_key
        )

    # -- paging ----------------------------------------------------------------------------

    def _pages(
        self,
        method: str,
        path: str,
        shop_cipher: str,
        page_size: int,
        body: dict[str, Any] | None,
        params: Mapping[str, str] | None = None,
        path_template: str | None = None,
        *,
        list_key: ListKey,
    ) -> Iterator[ApiResponse]:
        """Follow `next_page_token` until it is empty, checking every page (connectors/paging):
        a page must carry its `list_key` list unless nothing is owed, and must bring a record
        not seen before; a token seen before, or more pages than `total_count` allows, is a
        loop too.

        A page that brings nothing new came by a token gone wrong (one that leads back to the
        first page, as a server churning its tokens now and then hands out): it is not
        yielded, and the page before is asked again for another token, up to the retry
        policy's attempts; then the walk is refused naming the page.

        Filters go in the JSON body (searches) or the query (GET lists), the same on every page.
        """
        body_bytes = None if body is None else _json_bytes(body)
        query = {**(params or {}), "page_size": str(page_size)}
        walk = PageWalk(page_size)

        def fetch(token: str, number: int) -> tuple[ApiResponse, list[Any]]:
            page = f"page {number} (page_token {token[:80] or 'none'!r})"
            sent = {**query, "page_token": token} if token else query
            request = _Request(method, path, sent, body_bytes, shop_cipher, path_template, page)
            return self._page(request, walk, list_key, token, number)

        seen: set[str] = set()
        token, previous, asked_again = "", "", 0
        while True:
            response, records = fetch(token, walk.pages + 1)
            next_token = _next_page_token(response)
            looping = walk.nothing_new(records) if next_token and walk.pages else ""
            if looping and asked_again < self.retry.max_attempts - 1:
                asked_again += 1
                again = self._token_asked_again(fetch, previous, walk.pages, token, asked_again)
                if not again or again in seen:
                    problem = f"{looping}; page {walk.pages} asked again gave no new page token"
                    raise self._paging_error(response, walk.pages + 1, token, problem)
                seen.add(again)
                token = again
                continue
            yield response
            total = reported_total(response.data.get("total_count"))
            problem = walk.take(records, total=total, more=bool(next_token))
            if not problem and next_token in seen:
                problem = f"page token {next_token[:80]!r} came a second time: paging would loop"
            if problem and asked_again:
                problem += f" (page {walk.pages - 1} asked again {asked_again} time(s) for a token)"
            if problem:
                raise self._paging_error(response, walk.pages, token, problem)
            if not next_token:
                return
            seen.add(next_token)
            previous, token, asked_again = token, next_token, 0

    def _token_asked_again(
        self,
        fetch: Callable[[str, int], tuple[ApiResponse, list[Any]]],
        previous: str,
        page: int,
        failed: str,
        attempt: int,
    ) -> str:
        """The next page token page `page` gives when fetched again (its records, already
        yielded, are not); `failed` is the token that led back to records already seen."""
        logger.warning(
            "TikTok Shop page %d (page_token %r) brought only records already seen: asking "
            "page %d again for another page token (%d/%d)",
            page + 1,
            failed[:80],
            page,
            attempt,
            self.retry.max_attempts - 1,
        )
        self._sleep(self.retry.delay(attempt, self._rng))
        response, _ = fetch(previous, page)
        return _next_page_token(response)

    def _page(
        self, request: _Request, walk: PageWalk, list_key: ListKey, token: str, number: int
    ) -> tuple[ApiResponse, list[Any]]:
        """Page `number` and its records; a page without its list (while records are owed)
        is asked for again like a body cut short, then refused."""

        def attempt(_: int) -> tuple[ApiResponse, list[Any]]:
            response = self._call(request)
            key = list_key if isinstance(list_key, str) else list_key(response)
            more = bool(_next_page_token(response))
            total = reported_total(response.data.get("total_count"))
            problem = walk.list_problem(response.data, key, total=total, more=more)
            if problem:
                error = self._paging_error(response, number, token, problem)
                raise RetryableError(
                    f"page without its list, request_id {response.request_id}", error
                )
            records = response.data.get(key)
            return response, records if isinstance(records, list) else []

        return run_with_retries(
            attempt,
            self.retry,
            rng=self._rng,
            sleep=self._sleep,
            describe=f"TikTok Shop {request.method} {request.path} page {number}",
            log=logger,
        )

    @staticmethod
    def _paging_error(
        response: ApiResponse, page: int, token: str, problem: str
    ) -> TikTokShopResponseError:
        return TikTokShopResponseError(
            f"TikTok Shop {response.method} {response.path} page {page} (page_token "
            f"{token[:80] or 'none'!r}, request_id {response.request_id or 'none'}): {problem}. "
            "The walk is refused rather than returning fewer records; report it with the request "
            "id, and narrow the time window to work around it.",
            response.method,
            response.path,
            response.http_status,
            response.request_id,
        )

    # -- retries ---------------------------------------------------------------------------

    def _call(self, request: _Request) -> ApiResponse:
        """One logical call with bounded, jittered retries; the typed error after the last try.

        An expired access token (105002) is renewed once with the refresh token, if one is
        configured, and the call made again; without one the error says what to set.
        """
        token_used = self._access_token
        try:
            return self._call_with_retries(request)
        except TikTokShopApiError as error:
            if error.code != EXPIRED_TOKEN_CODE or not self._refresh_token:
                raise
        self._renew_access_token(token_used)
        return self._call_with_retries(request)

    def _call_with_retries(self, request: _Request) -> ApiResponse:
        return run_with_retries(
            lambda attempt: self._attempt(request, attempt),
            self.retry,
            rng=self._rng,
            sleep=self._sleep,
            describe=f"TikTok Shop {request.method} {request.path}",
            log=logger,
        )

    def _renew_access_token(self, expired: str) -> None:
        """Refresh once for all threads: whoever comes second finds the token already new."""
        with self._token_lock:
            if self._access_token != expired:
                return
            issued = run_with_retries(
                lambda attempt: refresh_access_token(
                    self._session,
                    self.settings.auth_base_url,
                    app_key=self.settings.app_key,
                    app_secret=self.settings.app_secret,
                    refresh_token=self._refresh_token,
                    timeout=self.timeout,
                ),
                self.retry,
                rng=self._rng,
                sleep=self._sleep,
                describe="TikTok Shop token refresh",
                log=logger,
            )
            self._access_token = issued.access_token
            self._refresh_token = issued.refresh_token
            logger.info(
                "TikTok Shop access token renewed; valid until %s (Unix seconds)",
                issued.access_token_expires_at,
            )

    # -- one attempt -------------------------------------------------------------------------

    def _attempt(self, request: _Request, attempt: int) -> ApiResponse:
        query = self._query(request)
        http = self._send(request, query)
        return self._interpret(request, query, http, attempt)

    def _query(self, request: _Request) -> dict[str, str]:
        """Query without `sign`; the timestamp is taken per attempt so retries stay fresh."""
        query = {
            "app_key": self.settings.app_key,
            "timestamp": str(int(self._clock())),
            **request.params,
        }
        if request.shop_cipher is not None:
            query["shop_cipher"] = request.shop_cipher
        return query

    def _send(self, request: _Request, query: dict[str, str]) -> requests.Response:
        """Sign and send; no answer at all becomes a retryable `TikTokShopUnreachableError`."""
        self._limiter_for(request.rate_limit_key).acquire()
        sign = sign_request(self.settings.app_secret, request.path, query, request.body)
        headers = {ACCESS_TOKEN_HEADER: self._access_token}
        if request.body is not None:
            headers["Content-Type"] = "application/json"
        return send(
            self._session,
            request.method,
            self.settings.base_url + request.path,
            timeout=self.timeout,
            no_answer=lambda reason, what: self._no_answer(request, reason, what),
            params={**query, "sign": sign},
            data=request.body,
            headers=headers,
        )

    def _interpret(
        self, request: _Request, query: dict[str, str], http: requests.Response, attempt: int
    ) -> ApiResponse:
        """The envelope's `code` decides: zero is success whatever the HTTP status."""
        fetched_at = datetime.now(UTC)
        status = http.status_code
        text, envelope, problem = read_envelope(http.content)
        request_id = _as_text(envelope.get("request_id")) if envelope else ""
        logger.debug(
            "TikTok Shop %s %s -> HTTP %d code=%s request_id=%s attempt=%d",
            request.method,
            request.path,
            status,
            envelope["code"] if envelope else None,
            request_id or "-",
            attempt,
        )
        if envelope is None or envelope["code"] != 0:
            raise self._failure(request, status, envelope, text, problem)
        return ApiResponse(
            method=request.method,
            path=request.path,
            query=query,
            request_body=request.body,
            http_status=status,
            request_id=request_id,
            fetched_at=fetched_at,
            text=text,
            data=_envelope_data(request, status, envelope, request_id),
            attempts=attempt,
        )

    # -- error construction --------------------------------------------------------------------

    def _failure(
        self,
        request: _Request,
        status: int,
        envelope: dict[str, Any] | None,
        text: str,
        problem: str,
    ) -> Exception:
        """The typed error, wrapped as retryable when a later attempt may pass.

        Throttling (36009002 or HTTP 429) and server trouble (5xx, JSON or not) are transient;
        every other API code (bad sign, expired token, missing scope) fails the same way again.
        """
        transient_status = status == 429 or status >= 500
        if envelope is None:
            error: TikTokShopError = self._malformed(request, status, problem, text)
            # A success status whose body is empty or not JSON was most likely cut short in
            # transit: worth another try. A 4xx page is an answer, not an accident.
            truncated = looks_truncated(status, problem)
            if transient_status or truncated:
                return RetryableError(f"HTTP {status}, {problem}", error)
            return error
        code = envelope["code"]
        request_id = _as_text(envelope.get("request_id"))
        message = self._redact(_as_text(envelope.get("message")))
        error = TikTokShopApiError(code, message, request_id, status, request.method, request.path)
        if code == THROTTLED_CODE or transient_status:
            return RetryableError(
                f"HTTP {status}, code {code}, request_id {request_id or '-'}", error
            )
        return error

    def _no_answer(self, request: _Request, reason: str, what: str) -> RetryableError:
        base_url = self.settings.base_url
        error = TikTokShopUnreachableError(
            f"The TikTok Shop API at {base_url} {what} ({request.endpoint}, "
            f"{self.retry.max_attempts} attempt(s), last: {reason}). "
            + no_answer_hint(
                what,
                f"Start the local sandbox with `linkstar sandbox`, or set {ENV_BASE_URL} to the "
                f"real API ({PRODUCTION_BASE_URL}).",
            ),
            base_url,
            request.method,
            request.path,
        )
        return RetryableError(reason, error)

    def _malformed(
        self, request: _Request, status: int, problem: str, text: str
    ) -> TikTokShopResponseError:
        snippet = self._redact(text)[:_SNIPPET_CHARS]
        return TikTokShopResponseError(
            f"TikTok Shop {request.endpoint} answered HTTP {status} with {problem}, not the "
            f"expected JSON envelope; body starts {snippet!r}. Check {ENV_BASE_URL} points at the "
            "TikTok Shop API.",
            request.method,
            request.path,
            status,
            "",
        )

    def _redact(self, text: str) -> str:
        """Servers may echo what they were sent; the secret and the token must not travel on."""
        secrets = (
            self.settings.app_secret,
            self.settings.access_token,
            self.settings.refresh_token,
            self._access_token,
            self._refresh_token,
        )
        for secret in secrets:
            if secret:
                text = text.replace(secret, _REDACTED)
        return text


# ------------------------------------------------------------------------------ helpers


def _json_bytes(body: Mapping[str, Any]) -> bytes:
    """Serialized once: these exact bytes are both signed and sent."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _envelope_data(
    request: _Request, status: int, envelope: dict[str, Any], request_id: str
) -> dict[str, Any]:
    """`data` of a successful envelope; absent or null means an empty object."""
    data = envelope.get("data")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise TikTokShopResponseError(
            f"TikTok Shop {request.endpoint} (HTTP {status}, request_id {request_id or 'none'}) "
            f"returned `data` as {type(data).__name__}, expected a JSON object.",
            request.method,
            request.path,
            status,
            request_id,
        )
    return data


def _next_page_token(response: ApiResponse) -> str:
    token = response.data.get("next_page_token")
    if token is None:
        return ""
    if not isinstance(token, str):
        raise TikTokShopResponseError(
            f"TikTok Shop {response.method} {response.path} (request_id "
            f"{response.request_id or 'none'}) returned next_page_token of type "
            f"{type(token).__name__}, expected a string.",
            response.method,
            response.path,
            response.http_status,
            response.request_id,
        )
    return token


def _query_values(params: Mapping[str, Any] | None) -> dict[str, str]:
    """Query parameters as the strings that are signed and sent; None values are left out."""
    return {key: _as_text(value) for key, value in (params or {}).items() if value is not None}


def _as_text(value: Any) -> str:
    return "" if value is None else str(value)


def _require_cipher(shop_cipher: str) -> None:
    if not isinstance(shop_cipher, str) or not shop_cipher:
        raise ValueError(
            "shop_cipher is required for shop-scoped calls: take `cipher` from get_authorized_shops()"
        )


def _check_page_size(page_size: int, limits: tuple[int, int], path: str) -> None:
    low, high = limits
    if isinstance(page_size, bool) or not isinstance(page_size, int):
        raise TypeError(
            f"page_size for {path} must be an int from {low} to {high}, got {page_size!r}"
        )
    if not low <= page_size <= high:
        raise ValueError(f"page_size for {path} must be between {low} and {high}, got {page_size}")


_TIME_BOUNDS = ("create_time_ge", "create_time_lt", "update_time_ge", "update_time_lt")
_INCLUSIVE_TIME_BOUNDS = ("create_time_ge", "create_time_le", "update_time_ge", "update_time_le")


def _time_filters(
    path: str, time_bounds: Mapping[str, int | None], allowed: tuple[str, ...]
) -> dict[str, int]:
    """The search body's time filters, checked; unset bounds are left out of the body."""
    unknown = sorted(set(time_bounds) - set(allowed))
    if unknown:
        raise TypeError(
            f"{path} takes the time bounds {', '.join(allowed)}; got {', '.join(unknown)}"
        )
    return {
        name: unix_seconds(name, value) for name, value in time_bounds.items() if value is not None
    }


def unix_seconds(name: str, value: int) -> int:
    """The API wants integer Unix seconds; a float or datetime here is a caller bug."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be Unix seconds as an int, got {value!r}")
    return value
