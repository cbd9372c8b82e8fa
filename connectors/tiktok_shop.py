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
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

from connectors import sandbox_defaults
from connectors.retry import RetryPolicy

logger = logging.getLogger(__name__)

PRODUCTION_BASE_URL = "https://open-api.tiktokglobalshop.com"

ENV_BASE_URL = "TIKTOK_SHOP_BASE_URL"
ENV_APP_KEY = "TIKTOK_SHOP_APP_KEY"
ENV_APP_SECRET = "TIKTOK_SHOP_APP_SECRET"
ENV_ACCESS_TOKEN = "TIKTOK_SHOP_ACCESS_TOKEN"
_CREDENTIAL_VARIABLES = (ENV_APP_KEY, ENV_APP_SECRET, ENV_ACCESS_TOKEN)

SHOPS_PATH = "/authorization/202309/shops"
ORDER_SEARCH_PATH = "/order/202309/orders/search"
ORDER_DETAIL_PATH = "/order/202309/orders"

ORDER_PAGE_SIZE_RANGE = (1, 100)
ORDER_DETAIL_MAX_IDS = 50
THROTTLED_CODE = 36009002
# Never part of the signed string (the reference, step 1).
_UNSIGNED_PARAMS = frozenset({"sign", "access_token"})


def sign_request(app_secret: str, path: str, query: Mapping[str, str], body: bytes | None) -> str:
    """The `sign` query parameter: HMAC-SHA256 over path + sorted key/value pairs + body,
    wrapped in the secret on both sides, as TikTok's partner documentation specifies."""
    pairs = "".join(f"{key}{query[key]}" for key in sorted(query) if key not in _UNSIGNED_PARAMS)
    message = path.encode("utf-8") + pairs.encode("utf-8")
    if body:
        message += body
    secret = app_secret.encode("utf-8")
    return hmac.new(secret, secret + message + secret, hashlib.sha256).hexdigest()


class TikTokShopError(Exception):
    """Anything that went wrong talking to TikTok Shop."""


class TikTokShopConfigError(TikTokShopError):
    """The TIKTOK_SHOP_* environment variables do not make a usable configuration."""


class TikTokShopApiError(TikTokShopError):
    """The API answered with a non-zero `code`."""

    def __init__(self, code: int, message: str, request_id: str, http_status: int, method: str, path: str):
        self.code = code
        self.message = message
        self.request_id = request_id
        self.http_status = http_status
        self.method = method
        self.path = path
        super().__init__(
            f"TikTok Shop API error {code} on {method} {path} (HTTP {http_status}, "
            f"request_id {request_id or 'none'}): {message}"
        )


class TikTokShopResponseError(TikTokShopError):
    """The API answered with something that is not a well-formed envelope."""


class TikTokShopUnreachableError(TikTokShopError):
    """No answer at all from the base URL (connection refused, DNS, timeouts)."""


@dataclass(frozen=True)
class TikTokShopSettings:
    base_url: str
    app_key: str
    app_secret: str = field(repr=False)
    access_token: str = field(repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> TikTokShopSettings:
        """Credentials from the environment; with none set, the local sandbox's test ones."""
        env = os.environ if environ is None else environ
        values = {name: env.get(name, "").strip() for name in (ENV_BASE_URL, *_CREDENTIAL_VARIABLES)}
        base_url = values[ENV_BASE_URL].rstrip("/")
        if base_url and not base_url.startswith(("http://", "https://")):
            raise TikTokShopConfigError(f"{ENV_BASE_URL}={base_url!r} must start with http:// or https://")
        if not any(values[name] for name in _CREDENTIAL_VARIABLES):
            return cls(
                base_url=base_url or sandbox_defaults.SANDBOX_BASE_URL,
                app_key=sandbox_defaults.TIKTOK_SHOP_SANDBOX_APP_KEY,
                app_secret=sandbox_defaults.TIKTOK_SHOP_SANDBOX_APP_SECRET,
                access_token=sandbox_defaults.TIKTOK_SHOP_SANDBOX_ACCESS_TOKEN,
            )
        missing = [name for name in _CREDENTIAL_VARIABLES if not values[name]]
        if missing:
            raise TikTokShopConfigError(
                f"TikTok Shop credentials are incomplete: set {', '.join(missing)} as well "
                f"(or unset all of {', '.join(_CREDENTIAL_VARIABLES)} to use the local sandbox)"
            )
        return cls(
            base_url=base_url or PRODUCTION_BASE_URL,
            app_key=values[ENV_APP_KEY],
            app_secret=values[ENV_APP_SECRET],
            access_token=values[ENV_ACCESS_TOKEN],
        )


@dataclass(frozen=True)
class ApiResponse:
    """One successful call, with what is needed to land and replay it (no secrets)."""

    method: str
    path: str
    query: Mapping[str, str]  # as sent, without `sign`
    request_body: bytes | None
    http_status: int
    request_id: str
    fetched_at: datetime
    text: str  # the response body exactly as received
    data: dict[str, Any]
    attempts: int


class _Retryable(Exception):
    """An attempt failed in a way that may pass on a later attempt."""

    def __init__(self, reason: str, final_error: TikTokShopError):
        super().__init__(reason)
        self.reason = reason
        self.final_error = final_error


class TikTokShopClient:
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
    ) -> None:
        self.settings = settings
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._session = session or requests.Session()
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()

    def __repr__(self) -> str:
        return f"TikTokShopClient(base_url={self.settings.base_url!r}, app_key={self.settings.app_key!r})"

    # -- endpoints -------------------------------------------------------------------------

    def get_authorized_shops(self) -> ApiResponse:
        """Shops covered by the access token; each `cipher` is the `shop_cipher` of later calls."""
        return self._call("GET", SHOPS_PATH)

    def search_orders(
        self,
        shop_cipher: str,
        *,
        update_time_ge: int | None = None,
        update_time_lt: int | None = None,
        create_time_ge: int | None = None,
        create_time_lt: int | None = None,
        page_size: int = 100,
    ) -> Iterator[ApiResponse]:
        """Every page of orders matching the filters (Unix seconds; upper bounds are exclusive)."""
        _check_page_size(page_size, ORDER_PAGE_SIZE_RANGE, ORDER_SEARCH_PATH)
        filters = {
            "update_time_ge": update_time_ge,
            "update_time_lt": update_time_lt,
            "create_time_ge": create_time_ge,
            "create_time_lt": create_time_lt,
        }
        body = {key: value for key, value in filters.items() if value is not None}
        yield from self._pages("POST", ORDER_SEARCH_PATH, shop_cipher, page_size, body)

    def get_order_details(self, shop_cipher: str, ids: Sequence[str]) -> list[ApiResponse]:
        """Order details for any number of ids, fetched in chunks of at most 50."""
        chunks = [ids[i : i + ORDER_DETAIL_MAX_IDS] for i in range(0, len(ids), ORDER_DETAIL_MAX_IDS)]
        return [
            self._call("GET", ORDER_DETAIL_PATH, params={"ids": ",".join(chunk)}, shop_cipher=shop_cipher)
            for chunk in chunks
        ]

    # -- paging, retries, one attempt ----------------------------------------------------------

    def _pages(
        self, method: str, path: str, shop_cipher: str, page_size: int, body: dict[str, Any]
    ) -> Iterator[ApiResponse]:
        seen_tokens: set[str] = set()
        page_token = ""
        while True:
            params = {"page_size": str(page_size)}
            if page_token:
                params["page_token"] = page_token
            response = self._call(method, path, params=params, body=body, shop_cipher=shop_cipher)
            yield response
            page_token = str(response.data.get("next_page_token") or "")
            if not page_token:
                return
            if page_token in seen_tokens:
                raise TikTokShopResponseError(
                    f"TikTok Shop {method} {path} returned page token {page_token!r} twice "
                    f"(request_id {response.request_id}): paging would loop"
                )
            seen_tokens.add(page_token)

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: dict[str, Any] | None = None,
        shop_cipher: str | None = None,
    ) -> ApiResponse:
        body_bytes = json.dumps(body, separators=(",", ":")).encode("utf-8") if body is not None else None
        for attempt in range(1, self.retry.max_attempts + 1):
            try:
                return self._attempt(method, path, params or {}, body_bytes, shop_cipher, attempt)
            except _Retryable as failure:
                if attempt == self.retry.max_attempts:
                    raise failure.final_error from None
                delay = self.retry.delay(attempt, self._rng)
                logger.warning(
                    "TikTok Shop %s %s: %s; retry %d/%d in %.2fs",
                    method, path, failure.reason, attempt, self.retry.max_attempts - 1, delay,
                )
                self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(
        self,
        method: str,
        path: str,
        params: Mapping[str, str],
        body: bytes | None,
        shop_cipher: str | None,
        attempt: int,
    ) -> ApiResponse:
        query = {"app_key": self.settings.app_key, "timestamp": str(int(self._clock())), **params}
        if shop_cipher:
            query["shop_cipher"] = shop_cipher
        signed = {**query, "sign": sign_request(self.settings.app_secret, path, query, body)}
        headers = {"x-tts-access-token": self.settings.access_token}
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            http = self._session.request(
                method, self.settings.base_url + path, params=signed, data=body, headers=headers,
                timeout=self.timeout,
            )
        except (requests.ConnectionError, requests.Timeout) as error:
            raise _Retryable(type(error).__name__, self._unreachable(method, path, error)) from None
        fetched_at = datetime.now(UTC)
        envelope = _parse_envelope(http, method, path)
        logger.info(
            "TikTok Shop %s %s -> HTTP %d code=%s request_id=%s attempt=%d",
            method, path, http.status_code, envelope.get("code") if envelope else None,
            (envelope or {}).get("request_id"), attempt,
        )
        if envelope is None:
            error = TikTokShopResponseError(
                f"TikTok Shop {method} {path} answered HTTP {http.status_code} with a body that is not a "
                f"JSON envelope: {http.text[:200]!r}"
            )
            raise _Retryable(f"HTTP {http.status_code}, unreadable body", error)
        code = _as_int(envelope.get("code"))
        request_id = str(envelope.get("request_id") or "")
        if code != 0:
            error = TikTokShopApiError(
                code if code is not None else -1, str(envelope.get("message") or ""), request_id,
                http.status_code, method, path,
            )
            if code == THROTTLED_CODE or http.status_code == 429 or http.status_code >= 500:
                raise _Retryable(f"HTTP {http.status_code}, code {code}", error)
            raise error
        data = envelope.get("data")
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise TikTokShopResponseError(
                f"TikTok Shop {method} {path} (request_id {request_id}): `data` is {type(data).__name__}, expected an object"
            )
        return ApiResponse(
            method=method, path=path, query=query, request_body=body, http_status=http.status_code,
            request_id=request_id, fetched_at=fetched_at, text=http.text, data=data, attempts=attempt,
        )

    def _unreachable(self, method: str, path: str, error: Exception) -> TikTokShopUnreachableError:
        return TikTokShopUnreachableError(
            f"Could not reach the TikTok Shop API at {self.settings.base_url} ({method} {path}, "
            f"{self.retry.max_attempts} attempts, last: {type(error).__name__}). Start the local sandbox "
            f"with `linkstar sandbox` (or `make dev`), or set {ENV_BASE_URL} to the real API "
            f"({PRODUCTION_BASE_URL})."
        )


def _check_page_size(page_size: int, limits: tuple[int, int], path: str) -> None:
    low, high = limits
    if not low <= page_size <= high:
        raise ValueError(f"page_size for {path} must be between {low} and {high}, got {page_size}")


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _parse_envelope(http: requests.Response, method: str, path: str) -> dict[str, Any] | None:
    """The JSON envelope, or None when the body is not one (HTML error pages, truncation)."""
    try:
        envelope = http.json()
    except ValueError:
        return None
    if not isinstance(envelope, dict) or "code" not in envelope:
        return None
    return envelope
