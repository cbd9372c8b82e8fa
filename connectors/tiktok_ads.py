"""TikTok Marketing API (TikTok API for Business, v1.3) client.

What is peculiar to this API lives here: the `Access-Token` header, lists sent as JSON-encoded
query values, the `{code, message, request_id, data}` envelope whose `code` (HTTP is almost
always 200) decides success, `page`/`page_size` paging with `page_info`, report date ranges cut
into windows, and which codes are worth retrying (`ERROR_CODES`, the one table). Figures are in
each advertiser's currency and on its time zone's days: compute windows with
`advertiser_local_today`, never in UTC. The token and app secret never reach logs, errors or
reprs.
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests

from connectors import sandbox_defaults
from connectors.envelope import looks_truncated, read_envelope
from connectors.rate_limit import RateLimiter, rate_from_env, shared_limiter
from connectors.retry import RetryableError, RetryPolicy, run_with_retries
from connectors.session import SessionOwner
from connectors.transport import send

logger = logging.getLogger(__name__)

PRODUCTION_BASE_URL = "https://business-api.tiktok.com"
API_ROOT = "/open_api/v1.3"

ENV_BASE_URL = "TIKTOK_ADS_BASE_URL"
ENV_ACCESS_TOKEN = "TIKTOK_ADS_ACCESS_TOKEN"
ENV_ADVERTISER_IDS = "TIKTOK_ADS_ADVERTISER_IDS"
ENV_APP_ID = "TIKTOK_ADS_APP_ID"
ENV_APP_SECRET = "TIKTOK_ADS_APP_SECRET"
ENV_PAGE_SIZE = "TIKTOK_ADS_PAGE_SIZE"
ENV_REPORT_WINDOW_DAYS = "TIKTOK_ADS_REPORT_WINDOW_DAYS"
ENV_LOOKBACK_DAYS = "TIKTOK_ADS_LOOKBACK_DAYS"
ENV_MAX_REQUESTS_PER_SECOND = "TIKTOK_ADS_MAX_REQUESTS_PER_SECOND"
CREDENTIAL_VARIABLES = (ENV_ACCESS_TOKEN, ENV_ADVERTISER_IDS, ENV_APP_ID, ENV_APP_SECRET)

# Unconfirmed limits (reference): page size 1-1000, report windows of 29-30 days, ~10
# requests/second and 600/minute per app on the basic tier. All configurable.
DEFAULT_PAGE_SIZE = 1000
DEFAULT_REPORT_WINDOW_DAYS = 30
DEFAULT_LOOKBACK_DAYS = 7  # conversions are credited to the day shown and arrive for days
DEFAULT_MAX_REQUESTS_PER_SECOND = 8.0
# After a rate-limit code, wait at least this long: the limit may be per minute, and the API
# sends no header saying which.
DEFAULT_RATE_LIMIT_BACKOFF_SECONDS = 60.0

ACCESS_TOKEN_HEADER = "Access-Token"
AUTHORIZED_ADVERTISERS_PATH = f"{API_ROOT}/oauth2/advertiser/get/"
ADVERTISER_INFO_PATH = f"{API_ROOT}/advertiser/info/"
CAMPAIGN_GET_PATH = f"{API_ROOT}/campaign/get/"
ADGROUP_GET_PATH = f"{API_ROOT}/adgroup/get/"
AD_GET_PATH = f"{API_ROOT}/ad/get/"
REPORT_PATH = f"{API_ROOT}/report/integrated/get/"
ADVERTISER_INFO_MAX_IDS = 100
DATA_LEVELS = ("AUCTION_ADVERTISER", "AUCTION_CAMPAIGN", "AUCTION_ADGROUP", "AUCTION_AD")

_SECRET_PARAMS = frozenset({"secret"})
_REDACTED = "[REDACTED]"
_SNIPPET_CHARS = 200


# ------------------------------------------------------------------------------- errors


class CodeInfo(NamedTuple):
    kind: str
    retryable: bool
    hint: str


# Every code the reference names, in one place (one third-party connector labels some
# differently). Only rate-limit, system and maintenance codes are retried.
ERROR_CODES: dict[int, CodeInfo] = {
    40100: CodeInfo("rate_limit", True, "Rate limited: lower TIKTOK_ADS_MAX_REQUESTS_PER_SECOND."),
    40016: CodeInfo("rate_limit", True, "App rate limit: other tools may share this app's quota."),
    40133: CodeInfo("rate_limit", True, "Advertiser rate limit: fewer parallel calls per account."),
    40102: CodeInfo(
        "token",
        False,
        f"The access token has expired or was revoked: authorise the app again "
        f"and update {ENV_ACCESS_TOKEN}.",
    ),
    40104: CodeInfo("token", False, f"No access token was sent: set {ENV_ACCESS_TOKEN}."),
    40105: CodeInfo("token", False, f"The access token is not valid: check {ENV_ACCESS_TOKEN}."),
    40106: CodeInfo(
        "token",
        False,
        f"The access token does not reach this advertiser: check "
        f"{ENV_ADVERTISER_IDS} against oauth2/advertiser/get.",
    ),
    40001: CodeInfo(
        "permission",
        False,
        "No permission: check the app's scopes and, for advertiser "
        f"discovery, {ENV_APP_ID} and {ENV_APP_SECRET}.",
    ),
    40002: CodeInfo(
        "parameter",
        False,
        "A parameter was rejected (e.g. a metric not valid at this "
        f"data_level, or a date range too long: lower {ENV_REPORT_WINDOW_DAYS}).",
    ),
    40300: CodeInfo("advertiser", False, f"No such advertiser: check {ENV_ADVERTISER_IDS}."),
    40067: CodeInfo(
        "query_too_large",
        False,
        "The report is too large: fewer days per window, or filter "
        "by campaign, ad group or ad ids.",
    ),
    50000: CodeInfo("system", True, "TikTok system error: retried; try later if it persists."),
    50002: CodeInfo("system", True, "TikTok system busy: retried; try later if it persists."),
    60001: CodeInfo("maintenance", True, "TikTok API maintenance: try again later."),
}
RATE_LIMIT_CODES = frozenset(
    code for code, info in ERROR_CODES.items() if info.kind == "rate_limit"
)


class TikTokAdsError(Exception):
    """Anything that went wrong talking to the TikTok Marketing API."""


class TikTokAdsConfigError(TikTokAdsError):
    """The TIKTOK_ADS_* environment variables do not make a usable configuration."""

    def __init__(self, message: str, missing: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.missing = tuple(missing)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.missing))


class TikTokAdsApiError(TikTokAdsError):
    """The API answered with a non-zero `code`; `kind` and `retryable` come from ERROR_CODES."""

    def __init__(
        self,
        code: int,
        message: str,
        request_id: str,
        http_status: int,
        endpoint: str,
        advertiser_id: str | None,
    ) -> None:
        self.code = code
        self.message = message
        self.request_id = request_id
        self.http_status = http_status
        self.endpoint = endpoint
        self.advertiser_id = advertiser_id
        info = ERROR_CODES.get(code)
        self.kind = info.kind if info else "unknown"
        self.retryable = info.retryable if info else False
        super().__init__(
            f"TikTok Ads API error code {code} ({self.kind}) on {endpoint}"
            f"{f' for advertiser {advertiser_id}' if advertiser_id else ''} "
            f"(HTTP {http_status}, request_id {request_id or 'none'}): {message or 'no message'}"
            + (f". {info.hint}" if info else "")
        )

    def __reduce__(self) -> tuple[Any, ...]:
        args = (
            self.code,
            self.message,
            self.request_id,
            self.http_status,
            self.endpoint,
            self.advertiser_id,
        )
        return (type(self), args)


class TikTokAdsResponseError(TikTokAdsError):
    """An answer that is not a well-formed envelope (or paging that makes no sense)."""

    def __init__(
        self,
        message: str,
        endpoint: str = "",
        http_status: int | None = None,
        request_id: str = "",
        advertiser_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.endpoint = endpoint
        self.http_status = http_status
        self.request_id = request_id
        self.advertiser_id = advertiser_id

    def __reduce__(self) -> tuple[Any, ...]:
        args = (str(self), self.endpoint, self.http_status, self.request_id, self.advertiser_id)
        return (type(self), args)


class TikTokAdsUnreachableError(TikTokAdsError):
    """No answer at all from the base URL (connection refused, DNS, timeouts)."""

    def __init__(self, message: str, base_url: str = "", endpoint: str = "") -> None:
        super().__init__(message)
        self.base_url = base_url
        self.endpoint = endpoint

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.base_url, self.endpoint))


# ----------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class TikTokAdsSettings:
    """Where to call, with which token, for which advertisers; secrets never show in a repr.

    `advertiser_ids` empty means: discover them with oauth2/advertiser/get (needs the app id
    and secret). `base_url` is the host only; the client appends /open_api/v1.3.
    """

    base_url: str
    access_token: str = field(repr=False)
    advertiser_ids: tuple[str, ...] = ()
    app_id: str = ""
    app_secret: str = field(default="", repr=False)
    page_size: int = DEFAULT_PAGE_SIZE
    report_window_days: int = DEFAULT_REPORT_WINDOW_DAYS
    lookback_days: int = DEFAULT_LOOKBACK_DAYS
    max_requests_per_second: float = DEFAULT_MAX_REQUESTS_PER_SECOND

    def __post_init__(self) -> None:
        base_url = self.base_url.strip().rstrip("/").removesuffix(API_ROOT)
        if not base_url.startswith(("http://", "https://")):
            raise TikTokAdsConfigError(
                f"{ENV_BASE_URL}={base_url!r} must start with http:// or https:// "
                f"(e.g. {PRODUCTION_BASE_URL})"
            )
        object.__setattr__(self, "base_url", base_url)
        object.__setattr__(self, "advertiser_ids", tuple(self.advertiser_ids))
        bad_ids = [i for i in self.advertiser_ids if not i.isdigit()]
        if bad_ids:
            raise TikTokAdsConfigError(
                f"{ENV_ADVERTISER_IDS} must be comma-separated numeric ids; got {bad_ids}"
            )
        for name, value in (
            (ENV_PAGE_SIZE, self.page_size),
            (ENV_REPORT_WINDOW_DAYS, self.report_window_days),
            (ENV_LOOKBACK_DAYS, self.lookback_days),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise TikTokAdsConfigError(f"{name} must be a whole number of at least 1")

    @property
    def discovers_advertisers(self) -> bool:
        return not self.advertiser_ids

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> TikTokAdsSettings:
        """Settings from the environment only.

        No credential variable set: the local sandbox and its public test credentials. Some set:
        the token plus either the advertiser ids or the app id and secret (for discovery), or
        an error naming what is missing, because a half-configured production run must never
        fall back to the sandbox silently.
        """
        env = os.environ if environ is None else environ
        values = {name: (env.get(name) or "").strip() for name in CREDENTIAL_VARIABLES}
        base_url = (env.get(ENV_BASE_URL) or "").strip()
        limits = _limits_from_env(env)
        if not any(values.values()):
            return cls(
                base_url=base_url or sandbox_defaults.SANDBOX_BASE_URL,
                access_token=sandbox_defaults.TIKTOK_ADS_SANDBOX_ACCESS_TOKEN,
                app_id=sandbox_defaults.TIKTOK_ADS_SANDBOX_APP_ID,
                app_secret=sandbox_defaults.TIKTOK_ADS_SANDBOX_APP_SECRET,
                **limits,
            )
        described, missing = _missing_credentials(values)
        if missing:
            raise TikTokAdsConfigError(
                f"TikTok Ads credentials are incomplete: set {' and '.join(described)}, or unset "
                "every TIKTOK_ADS_* credential variable to use the local sandbox.",
                missing=missing,
            )
        ids = tuple(i.strip() for i in values[ENV_ADVERTISER_IDS].split(",") if i.strip())
        return cls(
            base_url=base_url or PRODUCTION_BASE_URL,
            access_token=values[ENV_ACCESS_TOKEN],
            advertiser_ids=tuple(dict.fromkeys(ids)),
            app_id=values[ENV_APP_ID],
            app_secret=values[ENV_APP_SECRET],
            **limits,
        )


def _missing_credentials(values: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """(what to tell the user, variable names): the token always, then the advertiser ids or
    both the app id and secret (one of the two alone is a half-done configuration)."""
    described: list[str] = []
    missing: list[str] = []
    if not values[ENV_ACCESS_TOKEN]:
        described.append(ENV_ACCESS_TOKEN)
        missing.append(ENV_ACCESS_TOKEN)
    has_id, has_secret = bool(values[ENV_APP_ID]), bool(values[ENV_APP_SECRET])
    if has_id != has_secret:
        name = ENV_APP_SECRET if has_id else ENV_APP_ID
        described.append(name)
        missing.append(name)
    elif not values[ENV_ADVERTISER_IDS] and not has_id:
        described.append(f"{ENV_ADVERTISER_IDS} (or {ENV_APP_ID} and {ENV_APP_SECRET})")
        missing.append(ENV_ADVERTISER_IDS)
    return described, missing


def _limits_from_env(env: Mapping[str, str]) -> dict[str, Any]:
    try:
        pace = rate_from_env(ENV_MAX_REQUESTS_PER_SECOND, DEFAULT_MAX_REQUESTS_PER_SECOND, env)
    except ValueError as err:
        raise TikTokAdsConfigError(str(err)) from None
    return {
        "page_size": _int_from_env(env, ENV_PAGE_SIZE, DEFAULT_PAGE_SIZE),
        "report_window_days": _int_from_env(
            env, ENV_REPORT_WINDOW_DAYS, DEFAULT_REPORT_WINDOW_DAYS
        ),
        "lookback_days": _int_from_env(env, ENV_LOOKBACK_DAYS, DEFAULT_LOOKBACK_DAYS),
        "max_requests_per_second": pace,
    }


def _int_from_env(env: Mapping[str, str], name: str, default: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise TikTokAdsConfigError(f"{name}={raw!r} must be a whole number of at least 1")
    return int(raw)


# ----------------------------------------------------------------------------- response


@dataclass(frozen=True)
class AdsResponse:
    """One successful call (one page), with what is needed to land and replay it verbatim."""

    endpoint: str  # the path, e.g. /open_api/v1.3/report/integrated/get/
    advertiser_id: str | None
    params: dict[str, str]  # as sent; the app secret redacted, the token never included
    http_status: int
    request_id: str
    fetched_at: datetime  # aware, UTC
    text: str  # the response body exactly as received
    data: dict[str, Any]
    attempts: int

    @property
    def rows(self) -> list[Any]:
        rows = self.data.get("list")
        return rows if isinstance(rows, list) else []

    @property
    def page_info(self) -> dict[str, Any]:
        info = self.data.get("page_info")
        return info if isinstance(info, dict) else {}


@dataclass(frozen=True)
class _Request:
    path: str
    params: Mapping[str, str]
    advertiser_id: str | None


class _RateLimitFloor:
    """The extra wait a rate-limit answer adds to the next retry's jittered delay."""

    def __init__(self) -> None:
        self.pending = 0.0

    def take(self, request: _Request) -> float:
        wait, self.pending = self.pending, 0.0
        if wait:
            logger.warning(
                "TikTok Ads GET %s was rate limited: waiting %.2fs more before retrying",
                request.path,
                wait,
            )
        return wait


# ------------------------------------------------------------------------------- client


class TikTokAdsClient(SessionOwner):
    """Retried, paged GET calls to the TikTok Marketing API for one access token."""

    def __init__(
        self,
        settings: TikTokAdsSettings,
        *,
        timeout: float = 60.0,
        retry: RetryPolicy | None = None,
        rate_limit_backoff: float = DEFAULT_RATE_LIMIT_BACKOFF_SECONDS,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.settings = settings
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.rate_limit_backoff = rate_limit_backoff
        self._adopt_session(session)
        self._sleep = sleep
        self._rng = rng or random.Random()
        rate = settings.max_requests_per_second
        self._limiter = limiter or shared_limiter(
            "tiktok_ads", settings.base_url, rate, max(1, int(rate))
        )

    def __repr__(self) -> str:
        return f"TikTokAdsClient(base_url={self.settings.base_url!r})"

    # -- advertisers -----------------------------------------------------------------------

    def get_authorized_advertisers(self) -> AdsResponse:
        """The advertisers the token reaches (`data.list` of advertiser_id, advertiser_name)."""
        if not (self.settings.app_id and self.settings.app_secret):
            raise TikTokAdsConfigError(
                f"Discovering advertisers needs {ENV_APP_ID} and {ENV_APP_SECRET}; or list them "
                f"in {ENV_ADVERTISER_IDS}.",
                missing=(ENV_APP_ID, ENV_APP_SECRET),
            )
        params = {"app_id": self.settings.app_id, "secret": self.settings.app_secret}
        return self._call(_Request(AUTHORIZED_ADVERTISERS_PATH, params, None))

    def advertiser_ids(self) -> tuple[str, ...]:
        """The configured advertiser ids, or every advertiser the token reaches when none are."""
        if self.settings.advertiser_ids:
            return self.settings.advertiser_ids
        rows = self.get_authorized_advertisers().rows
        return tuple(dict.fromkeys(str(row["advertiser_id"]) for row in rows))

    def get_advertisers(self, ids: Sequence[str]) -> list[AdsResponse]:
        """advertiser/info for any number of ids (duplicates dropped), 100 per call: each
        advertiser's `currency` and `timezone`, which every report figure is in."""
        if isinstance(ids, str | bytes):
            raise TypeError("ids must be a sequence of advertiser ids, not a single string")
        unique = list(dict.fromkeys(str(i) for i in ids))
        return [
            self._call(
                _Request(
                    ADVERTISER_INFO_PATH,
                    {"advertiser_ids": compact_json(unique[i : i + ADVERTISER_INFO_MAX_IDS])},
                    None,
                )
            )
            for i in range(0, len(unique), ADVERTISER_INFO_MAX_IDS)
        ]

    # -- entities --------------------------------------------------------------------------

    def iter_campaigns(
        self, advertiser_id: str, *, filtering: Mapping[str, Any] | None = None
    ) -> Iterator[AdsResponse]:
        return self._pages(CAMPAIGN_GET_PATH, advertiser_id, _filtering(filtering))

    def iter_adgroups(
        self, advertiser_id: str, *, filtering: Mapping[str, Any] | None = None
    ) -> Iterator[AdsResponse]:
        return self._pages(ADGROUP_GET_PATH, advertiser_id, _filtering(filtering))

    def iter_ads(
        self, advertiser_id: str, *, filtering: Mapping[str, Any] | None = None
    ) -> Iterator[AdsResponse]:
        return self._pages(AD_GET_PATH, advertiser_id, _filtering(filtering))

    # -- reports ---------------------------------------------------------------------------

    def iter_report_pages(
        self,
        advertiser_id: str,
        data_level: str,
        start: date,
        end: date,
        metrics: Sequence[str],
        dimensions: Sequence[str],
        *,
        report_type: str = "BASIC",
    ) -> Iterator[AdsResponse]:
        """Every page of a synchronous report over advertiser-local days `start`..`end`
        (inclusive), cut into windows of at most `report_window_days` days."""
        if data_level not in DATA_LEVELS:
            raise ValueError(f"data_level must be one of {', '.join(DATA_LEVELS)}")
        if not metrics or not dimensions:
            raise ValueError("metrics and dimensions must each name at least one field")
        windows = split_date_range(start, end, self.settings.report_window_days)
        base = {
            "report_type": report_type,
            "data_level": data_level,
            "dimensions": compact_json(list(dimensions)),
            "metrics": compact_json(list(metrics)),
        }
        return self._report_pages(advertiser_id, base, windows)

    def _report_pages(
        self, advertiser_id: str, base: dict[str, str], windows: list[tuple[date, date]]
    ) -> Iterator[AdsResponse]:
        for first, last in windows:
            params = {**base, "start_date": first.isoformat(), "end_date": last.isoformat()}
            yield from self._pages(REPORT_PATH, advertiser_id, params)

    # -- paging ----------------------------------------------------------------------------

    def _pages(
        self, path: str, advertiser_id: str, extra: Mapping[str, str]
    ) -> Iterator[AdsResponse]:
        """Pages 1..total_page; the first page says how many there are."""
        if not isinstance(advertiser_id, str) or not advertiser_id.isdigit():
            raise ValueError(f"advertiser_id must be a numeric string, got {advertiser_id!r}")
        return self._walk(path, advertiser_id, extra)

    def _walk(
        self, path: str, advertiser_id: str, extra: Mapping[str, str]
    ) -> Iterator[AdsResponse]:
        page = 1
        while True:
            params = {
                "advertiser_id": advertiser_id,
                **extra,
                "page": str(page),
                "page_size": str(self.settings.page_size),
            }
            response = self._call(_Request(path, params, advertiser_id))
            yield response
            if page >= _total_pages(response) or not response.rows:
                return
            page += 1

    # -- retries ---------------------------------------------------------------------------

    def _call(self, request: _Request) -> AdsResponse:
        """One logical call with bounded, jittered retries; the typed error after the last try.
        A rate-limit answer adds `rate_limit_backoff` seconds to the next wait."""
        floor = _RateLimitFloor()
        return run_with_retries(
            lambda attempt: self._attempt(request, attempt, floor),
            self.retry,
            rng=self._rng,
            sleep=lambda delay: self._sleep(delay + floor.take(request)),
            describe=f"TikTok Ads GET {request.path}",
            log=logger,
        )

    def _attempt(self, request: _Request, attempt: int, floor: _RateLimitFloor) -> AdsResponse:
        http = self._send(request)
        fetched_at = datetime.now(UTC)
        text, envelope, problem = read_envelope(http.content)
        request_id = str(envelope.get("request_id") or "") if envelope else ""
        logger.debug(
            "TikTok Ads GET %s advertiser=%s -> HTTP %d code=%s request_id=%s attempt=%d",
            request.path,
            request.advertiser_id or "-",
            http.status_code,
            envelope["code"] if envelope else None,
            request_id or "-",
            attempt,
        )
        if envelope is None or envelope["code"] != 0:
            raise self._failure(request, http.status_code, envelope, text, problem, floor)
        return AdsResponse(
            endpoint=request.path,
            advertiser_id=request.advertiser_id,
            params=_loggable(request.params),
            http_status=http.status_code,
            request_id=request_id,
            fetched_at=fetched_at,
            text=text,
            data=self._data(request, http.status_code, envelope, request_id),
            attempts=attempt,
        )

    def _send(self, request: _Request) -> requests.Response:
        """No answer at all becomes a retryable `TikTokAdsUnreachableError`."""
        self._limiter.acquire()
        headers = (
            {ACCESS_TOKEN_HEADER: self.settings.access_token} if self.settings.access_token else {}
        )
        return send(
            self._session,
            "GET",
            self.settings.base_url + request.path,
            timeout=self.timeout,
            no_answer=lambda reason, what: self._no_answer(request, reason, what),
            params=dict(request.params),
            headers=headers,
        )

    # -- error construction --------------------------------------------------------------------

    def _failure(
        self,
        request: _Request,
        status: int,
        envelope: dict[str, Any] | None,
        text: str,
        problem: str,
        floor: _RateLimitFloor,
    ) -> Exception:
        """The typed error, wrapped as retryable when ERROR_CODES (or HTTP 429/5xx, or a body
        cut short) says a later attempt may pass."""
        transient_status = status == 429 or status >= 500
        if envelope is None:
            error: TikTokAdsError = self._malformed(request, status, problem, text)
            truncated = looks_truncated(status, problem)
            if status == 429:
                floor.pending = self.rate_limit_backoff
            if transient_status or truncated:
                return RetryableError(f"HTTP {status}, {problem}", error)
            return error
        code = envelope["code"]
        request_id = str(envelope.get("request_id") or "")
        message = self._redact(str(envelope.get("message") or ""))
        error = TikTokAdsApiError(
            code, message, request_id, status, request.path, request.advertiser_id
        )
        if code in RATE_LIMIT_CODES:
            floor.pending = self.rate_limit_backoff
        if error.retryable or transient_status:
            return RetryableError(f"HTTP {status}, code {code}, request_id {request_id}", error)
        return error

    def _no_answer(self, request: _Request, reason: str, what: str) -> RetryableError:
        base_url = self.settings.base_url
        error = TikTokAdsUnreachableError(
            f"The TikTok Ads API at {base_url} {what} (GET {request.path}, "
            f"{self.retry.max_attempts} attempt(s), last: {reason}). Start the local sandbox with "
            f"`linkstar sandbox`, or set {ENV_BASE_URL} to the real API ({PRODUCTION_BASE_URL}).",
            base_url,
            request.path,
        )
        return RetryableError(reason, error)

    def _malformed(
        self, request: _Request, status: int, problem: str, text: str
    ) -> TikTokAdsResponseError:
        snippet = self._redact(text)[:_SNIPPET_CHARS]
        hint = (
            " The path must end with '/' (the trailing slash is part of every path)."
            if status == 404
            else ""
        )
        return TikTokAdsResponseError(
            f"TikTok Ads GET {request.path} answered HTTP {status} with {problem}, not the "
            f"expected JSON envelope; body starts {snippet!r}. Check {ENV_BASE_URL} points at "
            f"the TikTok API for Business host.{hint}",
            request.path,
            status,
            "",
            request.advertiser_id,
        )

    def _data(
        self, request: _Request, status: int, envelope: dict[str, Any], request_id: str
    ) -> dict[str, Any]:
        data = envelope.get("data")
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise TikTokAdsResponseError(
                f"TikTok Ads GET {request.path} (HTTP {status}, request_id {request_id or 'none'}) "
                f"returned `data` as {type(data).__name__}, expected a JSON object.",
                request.path,
                status,
                request_id,
                request.advertiser_id,
            )
        return data

    def _redact(self, text: str) -> str:
        """Servers may echo what they were sent; the token and secret must not travel on."""
        for secret in (self.settings.access_token, self.settings.app_secret):
            if secret:
                text = text.replace(secret, _REDACTED)
        return text


# ------------------------------------------------------------------------------ helpers


def compact_json(value: Any) -> str:
    """Lists and objects travel as JSON in the query string, without spaces."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _filtering(filtering: Mapping[str, Any] | None) -> dict[str, str]:
    return {"filtering": compact_json(dict(filtering))} if filtering else {}


def _loggable(params: Mapping[str, str]) -> dict[str, str]:
    return {k: (_REDACTED if k in _SECRET_PARAMS else v) for k, v in params.items()}


def _total_pages(response: AdsResponse) -> int:
    total = response.page_info.get("total_page")
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise TikTokAdsResponseError(
            f"TikTok Ads GET {response.endpoint} (request_id {response.request_id or 'none'}) "
            f"returned page_info.total_page {total!r}, expected a whole number.",
            response.endpoint,
            response.http_status,
            response.request_id,
            response.advertiser_id,
        )
    return total


# -------------------------------------------------------------------- windows and values


def split_date_range(start: date, end: date, max_days: int) -> list[tuple[date, date]]:
    """Consecutive inclusive windows of at most `max_days` days covering `start`..`end`."""
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    if max_days < 1:
        raise ValueError(f"max_days must be at least 1, got {max_days}")
    windows = []
    first = start
    while first <= end:
        last = min(end, first + timedelta(days=max_days - 1))
        windows.append((first, last))
        first = last + timedelta(days=1)
    return windows


def advertiser_local_today(timezone: str, now: datetime | None = None) -> date:
    """Today on the advertiser's clock. Report days are the advertiser's days: for an account
    ahead of UTC, "today in UTC" is still yesterday there, and a UTC window misses a day."""
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown advertiser time zone {timezone!r}") from None
    return moment.astimezone(zone).date()


def lookback_window(end_local_day: date, days: int) -> tuple[date, date]:
    """The `days` local days ending with `end_local_day`, inclusive: the days to re-pull,
    because conversions keep arriving for days after the day the ad was shown."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    return end_local_day - timedelta(days=days - 1), end_local_day


# Metric names whose values are whole counts; text attributes stay strings.
COUNT_METRICS = frozenset(
    {
        "impressions",
        "reach",
        "clicks",
        "conversion",
        "real_time_conversion",
        "complete_payment",
        "onsite_shopping",
        "video_play_actions",
        "video_watched_2s",
        "video_watched_6s",
        "likes",
        "comments",
        "shares",
        "follows",
        "profile_visits",
    }
)
TEXT_METRICS = frozenset(
    {
        "currency",
        "campaign_name",
        "campaign_id",
        "adgroup_name",
        "adgroup_id",
        "ad_name",
        "ad_id",
        "advertiser_name",
        "advertiser_id",
    }
)


def parse_metric_value(name: str, raw: Any) -> int | Decimal | str | None:
    """A report value as sent (a string): "-" is None (empty, never zero); counts are ints,
    other metrics Decimals (money and ratios alike), attributes stay text."""
    if raw is None or raw == "-":
        return None
    if name in TEXT_METRICS:
        return str(raw)
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError(f"metric {name} has value {raw!r}, not a number or '-'") from None
    if not value.is_finite():
        raise ValueError(f"metric {name} has value {raw!r}, not a finite number")
    if name in COUNT_METRICS:
        if value != value.to_integral_value():
            raise ValueError(f"metric {name} is a count but has value {raw!r}")
        return int(value)
    return value


def parse_metrics(metrics: Mapping[str, Any]) -> dict[str, int | Decimal | str | None]:
    return {name: parse_metric_value(name, raw) for name, raw in metrics.items()}


def parse_stat_day(value: str) -> date:
    """`stat_time_day` ("2026-10-05 00:00:00") as the advertiser-local date it names."""
    return date.fromisoformat(value[:10])
