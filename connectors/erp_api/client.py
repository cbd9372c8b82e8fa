"""A generic client for the Chinese ERPs' open APIs: app id + secret -> access token, signed
requests, offset paging and per-minute limits. Vendor specifics come from an adapter module
(`connectors.erp_api.lingxing`); this module only knows the shape they share.

Configuration comes from the environment only (`ErpApiSettings.from_env`); the app secret and
the access token never appear in logs, errors or reprs (the secret only travels in the token
request's form body, the token only in the query of business calls, never logged).
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

import requests

from connectors.envelope import looks_truncated, read_json_body
from connectors.erp_api import lingxing
from connectors.paging import PageWalk, records_problem
from connectors.rate_limit import RateLimiter, shared_limiter
from connectors.retry import RetryableError, RetryPolicy, run_with_retries
from connectors.session import SessionOwner
from connectors.transport import no_answer_hint, send

logger = logging.getLogger(__name__)

ENV_VENDOR = "ERP_API_VENDOR"
ENV_BASE_URL = "ERP_API_BASE_URL"
ENV_APP_ID = "ERP_API_APP_ID"
ENV_APP_SECRET = "ERP_API_APP_SECRET"
ENV_MAX_REQUESTS_PER_MINUTE = "ERP_API_MAX_REQUESTS_PER_MINUTE"
ENV_PAGE_SIZE = "ERP_API_PAGE_SIZE"
ENV_WINDOW_DAYS = "ERP_API_WINDOW_DAYS"
ENV_PLATFORM_CODES = "ERP_API_PLATFORM_CODES"

ADAPTERS: dict[str, ModuleType] = {lingxing.VENDOR: lingxing}
# Lingxing's buckets often hold one token per app and endpoint; one call a second is safe.
DEFAULT_MAX_REQUESTS_PER_MINUTE = 60.0
DEFAULT_PAGE_SIZE = 500
DEFAULT_WINDOW_DAYS = 31
# Refresh the token this long before it expires, so no call goes out with a dying token.
TOKEN_REFRESH_MARGIN_SECONDS = 300
_SNIPPET_CHARS = 200
_REDACTED = "[REDACTED]"


# ------------------------------------------------------------------------------- errors


class ErpApiError(Exception):
    """Anything that went wrong talking to the ERP's API."""


class ErpApiConfigError(ErpApiError):
    """The ERP_API_* environment variables do not make a usable configuration."""


class ErpApiCallError(ErpApiError):
    """The API answered with an error code (or not with a usable envelope)."""

    def __init__(
        self,
        vendor: str,
        endpoint: str,
        code: int | None,
        message: str,
        request_id: str = "",
        http_status: int | None = None,
    ) -> None:
        self.vendor = vendor
        self.endpoint = endpoint
        self.code = code
        self.message = message
        self.request_id = request_id
        self.http_status = http_status
        super().__init__(
            f"ERP API ({vendor}) {endpoint}: "
            + (f"code {code}" if code is not None else "no usable answer")
            + f" (HTTP {http_status if http_status is not None else '-'}, request_id "
            f"{request_id or 'none'}): {message or 'no message'}"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        args = (
            self.vendor,
            self.endpoint,
            self.code,
            self.message,
            self.request_id,
            self.http_status,
        )
        return (type(self), args)


class ErpApiAuthError(ErpApiCallError):
    """The token request was refused: wrong AppId or AppSecret (or not whitelisted)."""


class ErpApiPagingError(ErpApiCallError):
    """Offset paging broke: a short, empty or repeated page before `total` was reached."""


class ErpApiUnreachableError(ErpApiError):
    """No answer at all from the base URL (connection refused, DNS, timeouts)."""


# ----------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class ErpApiSettings:
    """Where to call and with which app; the secret never shows in a repr."""

    base_url: str
    app_id: str
    app_secret: str = field(repr=False)
    vendor: str = lingxing.VENDOR
    max_requests_per_minute: float = DEFAULT_MAX_REQUESTS_PER_MINUTE
    page_size: int = DEFAULT_PAGE_SIZE
    window_days: int = DEFAULT_WINDOW_DAYS
    platform_codes: tuple[int, ...] = (lingxing.TIKTOK_PLATFORM_CODE,)

    def __post_init__(self) -> None:
        base_url = self.base_url.strip().rstrip("/")
        if not base_url.startswith(("http://", "https://")):
            raise ErpApiConfigError(
                f"{ENV_BASE_URL}={base_url!r} must start with http:// or https:// "
                f"(e.g. {lingxing.PRODUCTION_BASE_URL})"
            )
        object.__setattr__(self, "base_url", base_url)
        if self.vendor not in ADAPTERS:
            raise ErpApiConfigError(
                f"{ENV_VENDOR}={self.vendor!r} is not supported; choose one of {sorted(ADAPTERS)}"
            )
        if not 1 <= self.page_size <= 500:
            raise ErpApiConfigError(f"{ENV_PAGE_SIZE} must be 1-500, got {self.page_size}")
        if not 1 <= self.window_days <= lingxing.MAX_WINDOW_DAYS:
            raise ErpApiConfigError(
                f"{ENV_WINDOW_DAYS} must be 1-{lingxing.MAX_WINDOW_DAYS}, got {self.window_days}"
            )

    @property
    def adapter(self) -> ModuleType:
        return ADAPTERS[self.vendor]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ErpApiSettings | None:
        """None when no ERP_API_* variable is set: the seller has no ERP API (not an error).

        Some set but not the base URL, the app's id and its secret: an error naming what is
        missing, so a half-configured connector never runs, or stays off, silently.
        """
        env = os.environ if environ is None else environ
        value = {name: (env.get(name) or "").strip() for name in _ALL_VARIABLES}
        if not value[ENV_BASE_URL]:
            present = [name for name in (ENV_APP_ID, ENV_APP_SECRET) if value[name]]
            if present:
                raise ErpApiConfigError(
                    f"ERP API: {', '.join(present)} {'is' if len(present) == 1 else 'are'} set "
                    f"but {ENV_BASE_URL} is not. Set it (e.g. https://openapi.lingxing.com), or "
                    "unset every ERP_API_* variable to run without the ERP API."
                )
            return None
        missing = [name for name in (ENV_APP_ID, ENV_APP_SECRET) if not value[name]]
        if missing:
            raise ErpApiConfigError(
                f"ERP API is configured ({ENV_BASE_URL} is set) but {', '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not set. Set "
                f"{'it' if len(missing) == 1 else 'them'}, or unset {ENV_BASE_URL} to run "
                "without the ERP API."
            )
        return cls(
            base_url=value[ENV_BASE_URL],
            app_id=value[ENV_APP_ID],
            app_secret=value[ENV_APP_SECRET],
            vendor=value[ENV_VENDOR] or lingxing.VENDOR,
            max_requests_per_minute=_number(
                value, ENV_MAX_REQUESTS_PER_MINUTE, float, DEFAULT_MAX_REQUESTS_PER_MINUTE
            ),
            page_size=_number(value, ENV_PAGE_SIZE, int, DEFAULT_PAGE_SIZE),
            window_days=_number(value, ENV_WINDOW_DAYS, int, DEFAULT_WINDOW_DAYS),
            platform_codes=_codes(value[ENV_PLATFORM_CODES]) or (lingxing.TIKTOK_PLATFORM_CODE,),
        )


_ALL_VARIABLES = (
    ENV_VENDOR,
    ENV_BASE_URL,
    ENV_APP_ID,
    ENV_APP_SECRET,
    ENV_MAX_REQUESTS_PER_MINUTE,
    ENV_PAGE_SIZE,
    ENV_WINDOW_DAYS,
    ENV_PLATFORM_CODES,
)


def _number(values: Mapping[str, str], name: str, kind: type, default: Any) -> Any:
    """A number from the environment; unset means the default (0 requests per minute turns
    pacing off, as for every other client)."""
    raw = values[name]
    if not raw:
        return default
    try:
        return kind(raw)
    except ValueError:
        raise ErpApiConfigError(f"{name}={raw!r} is not a {kind.__name__}") from None


def _codes(raw: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in raw.split(",") if part.strip())
    except ValueError:
        raise ErpApiConfigError(
            f"{ENV_PLATFORM_CODES}={raw!r} must be comma-separated integers"
        ) from None


def _page_problem(listed: tuple[int, list[Any]] | None) -> str:
    """What is wrong with a list answer's (total, rows) ("" if nothing)."""
    if listed is None:
        return "a success answer without a total and a list of rows"
    problem = records_problem(listed[1], "list")
    return f"a success answer whose {problem}" if problem else ""


# ----------------------------------------------------------------------------- response


@dataclass(frozen=True)
class ErpApiPage:
    """One successful list call, with what is needed to land and replay it (no secrets)."""

    method: str
    path: str
    query: dict[str, str]  # as sent, without `sign` and `access_token`
    request_body: str
    http_status: int
    request_id: str
    fetched_at: datetime  # aware, UTC
    text: str  # the response body exactly as received
    total: int
    rows: list[Any]
    offset: int
    attempts: int


# ------------------------------------------------------------------------------- client


class ErpApiClient(SessionOwner):
    """Token-managed, signed, paced, retried and offset-paged calls to one ERP app."""

    def __init__(
        self,
        settings: ErpApiSettings,
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
        self.adapter = settings.adapter
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._adopt_session(session)
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._limiter_for = limiter_for or self._shared_limiter
        self._token: str | None = None
        self._token_expires_at = 0.0
        self.token_requests = 0  # how many tokens this client fetched (for logs and tests)

    def __repr__(self) -> str:
        return (
            f"ErpApiClient(vendor={self.settings.vendor!r}, base_url={self.settings.base_url!r}, "
            f"app_id={self.settings.app_id!r})"
        )

    def _shared_limiter(self, path: str) -> RateLimiter:
        """Buckets are per app and endpoint: one process-wide limiter per (base URL, path)."""
        rate = self.settings.max_requests_per_minute / 60.0
        api = f"erp_api:{self.settings.vendor}:{self.settings.app_id}"
        return shared_limiter(api, self.settings.base_url + path, rate, 1)

    # -- endpoints ---------------------------------------------------------------------------

    def order_pages(self, start_time: int, end_time: int) -> Iterator[ErpApiPage]:
        """Every page of orders updated in [start_time, end_time] (Unix seconds), in windows
        of at most `window_days` (the API refuses longer ones)."""
        if end_time < start_time:
            raise ValueError(f"end_time {end_time} is before start_time {start_time}")
        step = self.settings.window_days * 86400
        path = self.adapter.ORDERS_PATH
        for window_start in range(start_time, end_time + 1, step):
            window_end = min(end_time, window_start + step - 1)
            body = self.adapter.orders_body(window_start, window_end, self.settings.platform_codes)
            yield from self.pages(path, body)

    def inventory_pages(self) -> Iterator[ErpApiPage]:
        """Every page of stock per SKU and warehouse (a snapshot: no filter)."""
        return self.pages(self.adapter.INVENTORY_PATH, {})

    def pages(self, path: str, body: Mapping[str, Any]) -> Iterator[ErpApiPage]:
        """Offset paging until the reported `total` is reached.

        A page that brings nothing (or fewer rows than asked) before `total`, or no row not
        already seen (connectors/paging), means paging broke: an error, never a silently
        short load. A page without its list is refused in `_attempt`, whatever the total.
        """
        length = min(self.settings.page_size, self.adapter.MAX_PAGE_LENGTH.get(path, 500))
        offset, walk = 0, PageWalk(length)
        while True:
            page = self.call(path, {**body, **self.adapter.page_params(offset, length)}, offset)
            yield page
            offset += len(page.rows)
            more = offset < page.total
            problem = walk.take(page.rows, total=page.total, more=more)
            if not problem and more and len(page.rows) < length:
                problem = (
                    f"the page brought {len(page.rows)} of {length} rows but total is "
                    f"{page.total}: paging would stop short"
                )
            if problem:
                raise ErpApiPagingError(
                    self.settings.vendor,
                    f"POST {path}",
                    None,
                    f"page at offset {page.offset}: {problem}. Report it with the request id; "
                    "narrow the window to work around it.",
                    page.request_id,
                    page.http_status,
                )
            if not more:
                return

    def call(self, path: str, body: Mapping[str, Any], offset: int = 0) -> ErpApiPage:
        """One signed POST list call: retried, and re-authenticated once on an expired token."""
        try:
            return self._retried(path, body, offset)
        except ErpApiCallError as error:
            if (
                error.code is None
                or self.adapter.action_for(error.code) != self.adapter.REAUTHENTICATE
            ):
                raise
            logger.info(
                "ERP API %s: token rejected (code %s), fetching a new one", path, error.code
            )
            self._token = None
            return self._retried(path, body, offset)

    # -- token -------------------------------------------------------------------------------

    def access_token(self) -> str:
        """The cached token, fetched anew when missing or within the refresh margin."""
        if self._token is None or self._clock() >= self._token_expires_at:
            self._fetch_token()
        assert self._token is not None
        return self._token

    def _fetch_token(self) -> None:
        path = self.adapter.TOKEN_PATH
        envelope = run_with_retries(
            lambda attempt: self._token_attempt(path),
            self.retry,
            rng=self._rng,
            sleep=self._sleep,
            describe=f"ERP API ({self.settings.vendor}) token",
            log=logger,
        )
        token = self.adapter.parse_token(envelope)
        if token is None:
            raise ErpApiAuthError(
                self.settings.vendor,
                f"POST {path}",
                None,
                "the token answer carries no access_token",
                self.adapter.request_id_of(envelope),
            )
        self.token_requests += 1
        lifetime = max(0, token.expires_in - TOKEN_REFRESH_MARGIN_SECONDS)
        self._token, self._token_expires_at = token.access_token, self._clock() + lifetime

    def _token_attempt(self, path: str) -> dict[str, Any]:
        form = self.adapter.token_form(self.settings.app_id, self.settings.app_secret)
        http = send(
            self._session,
            "POST",
            self.settings.base_url + path,
            timeout=self.timeout,
            no_answer=lambda reason, what: self._no_answer(path, reason, what),
            files={name: (None, value) for name, value in form.items()},  # multipart/form-data
        )
        text, envelope, problem = self._read(http)
        code = None if envelope is None else self.adapter.parse_code(envelope.get("code"))
        if envelope is not None and code is not None and self.adapter.is_success(code):
            return envelope
        error = self._error(ErpApiAuthError, path, http.status_code, envelope, code, text, problem)
        raise self._maybe_retryable(error, http.status_code, code, problem)

    # -- one call ----------------------------------------------------------------------------

    def _retried(self, path: str, body: Mapping[str, Any], offset: int) -> ErpApiPage:
        return run_with_retries(
            lambda attempt: self._attempt(path, body, offset, attempt),
            self.retry,
            rng=self._rng,
            sleep=self._sleep,
            describe=f"ERP API ({self.settings.vendor}) POST {path}",
            log=logger,
        )

    def _attempt(self, path: str, body: Mapping[str, Any], offset: int, attempt: int) -> ErpApiPage:
        """Signed per attempt (a signature lives about two minutes)."""
        token = self.access_token()
        self._limiter_for(path).acquire()
        common = self.adapter.common_params(self.settings.app_id, token, int(self._clock()))
        signature = self.adapter.sign({**common, **body}, self.settings.app_id)
        body_text = json.dumps(dict(body), separators=(",", ":"), ensure_ascii=False)
        http = send(
            self._session,
            "POST",
            self.settings.base_url + path,
            timeout=self.timeout,
            no_answer=lambda reason, what: self._no_answer(path, reason, what, offset),
            params={**common, "sign": signature},
            data=body_text.encode("utf-8"),
            headers={"Content-Type": "application/json"},
        )
        text, envelope, problem = self._read(http)
        code = None if envelope is None else self.adapter.parse_code(envelope.get("code"))
        status = http.status_code
        if envelope is None or code is None or not self.adapter.is_success(code):
            error = self._error(
                ErpApiCallError, path, status, envelope, code, text, problem, offset
            )
            raise self._maybe_retryable(error, status, code, problem)
        listed = self.adapter.total_and_rows(envelope)
        request_id = self.adapter.request_id_of(envelope)
        problem = _page_problem(listed)
        if problem:
            # Like a body cut short: worth another try, then an error naming the page.
            error = ErpApiCallError(
                self.settings.vendor,
                f"POST {path}",
                code,
                f"the page at offset {offset} is {problem}, refused rather than taken as empty; "
                f"check {ENV_VENDOR} matches the ERP at {ENV_BASE_URL}",
                request_id,
                status,
            )
            raise RetryableError(f"page without its list, request_id {request_id}", error)
        assert listed is not None
        total, rows = listed
        logger.debug(
            "ERP API %s offset=%d -> %d/%d rows request_id=%s attempt=%d",
            path,
            offset,
            len(rows),
            total,
            request_id or "-",
            attempt,
        )
        query = {k: v for k, v in common.items() if k != "access_token"}
        return ErpApiPage(
            method="POST",
            path=path,
            query=query,
            request_body=body_text,
            http_status=status,
            request_id=request_id,
            fetched_at=datetime.now(UTC),
            text=text,
            total=total,
            rows=rows,
            offset=offset,
            attempts=attempt,
        )

    # -- reading and errors ----------------------------------------------------------------------

    def _read(self, http: requests.Response) -> tuple[str, dict[str, Any] | None, str]:
        """Like the TikTok envelope, but any `code` the vendor adapter can parse (strings
        included), so only its presence is checked here."""
        text, envelope, problem = read_json_body(http.content)
        if problem:
            return text, None, problem
        if not isinstance(envelope, dict) or "code" not in envelope:
            return text, None, "JSON without a `code`"
        return text, envelope, ""

    def _error(
        self,
        kind: type[ErpApiCallError],
        path: str,
        status: int,
        envelope: dict[str, Any] | None,
        code: int | None,
        text: str,
        problem: str,
        offset: int | None = None,
    ) -> ErpApiCallError:
        """`offset` names the page of a list call: a body that is not an envelope carries no
        request id, so the page is what locates it."""
        if envelope is None:
            snippet = self._redact(text)[:_SNIPPET_CHARS]
            page = "" if offset is None else f"the page at offset {offset} "
            message = f"{page}answered with {problem}; body starts {snippet!r}"
            return kind(self.settings.vendor, f"POST {path}", None, message, "", status)
        message = self._redact(self.adapter.message_of(envelope))
        hint = self.adapter.next_step(code) if code is not None else ""
        return kind(
            self.settings.vendor,
            f"POST {path}",
            code,
            f"{message}. {hint}".strip(". ") if hint else message,
            self.adapter.request_id_of(envelope),
            status,
        )

    def _maybe_retryable(
        self, error: ErpApiCallError, status: int, code: int | None, problem: str
    ) -> Exception:
        """Throttle codes, HTTP 429/5xx and bodies cut short in transit are worth another try."""
        transient = status == 429 or status >= 500 or looks_truncated(status, problem)
        if transient or (code is not None and self.adapter.action_for(code) == self.adapter.RETRY):
            return RetryableError(f"HTTP {status}, code {code}, {problem or 'answered'}", error)
        return error

    def _no_answer(
        self, path: str, reason: str, what: str, offset: int | None = None
    ) -> RetryableError:
        """`offset` names the page of a list call, as in `_error`."""
        page = "" if offset is None else f" page at offset {offset}"
        error = ErpApiUnreachableError(
            f"The ERP API ({self.settings.vendor}) at {self.settings.base_url} {what} "
            f"(POST {path}{page}, {self.retry.max_attempts} attempt(s), last: {reason}). "
            + no_answer_hint(what, f"Check {ENV_BASE_URL}, or unset it to run without the ERP API.")
        )
        return RetryableError(reason, error)

    def _redact(self, text: str) -> str:
        """Servers may echo what they were sent; the secret and the token must not travel on."""
        for secret in (self.settings.app_secret, self._token):
            if secret:
                text = text.replace(secret, _REDACTED)
        return text
