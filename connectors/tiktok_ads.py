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

import csv
import io
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

from connectors.envelope import looks_truncated, read_envelope
from connectors.paging import PageWalk, reported_total
from connectors.rate_limit import RateLimiter, rate_from_env, shared_limiter
from connectors.retry import RetryableError, RetryPolicy, run_with_retries
from connectors.session import SessionOwner
from connectors.transport import no_answer_hint, send

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
ENV_REPORT_MODE = "TIKTOK_ADS_REPORT_MODE"
ENV_TOO_LARGE_FALLBACK = "TIKTOK_ADS_TOO_LARGE_FALLBACK"
ENV_REPORT_TASK_TIMEOUT_SECONDS = "TIKTOK_ADS_REPORT_TASK_TIMEOUT_SECONDS"
CREDENTIAL_VARIABLES = (ENV_ACCESS_TOKEN, ENV_ADVERTISER_IDS, ENV_APP_ID, ENV_APP_SECRET)
# Any one of these set says "this run uses TikTok Ads": then the credentials are required.
SETTING_VARIABLES = (ENV_BASE_URL, *CREDENTIAL_VARIABLES)

# Unconfirmed limits (reference): page size 1-1000, report windows of 29-30 days, ~10
# requests/second and 600/minute per app on the basic tier. All configurable.
DEFAULT_PAGE_SIZE = 1000
DEFAULT_REPORT_WINDOW_DAYS = 30
DEFAULT_LOOKBACK_DAYS = 7  # conversions are credited to the day shown and arrive for days
DEFAULT_MAX_REQUESTS_PER_SECOND = 8.0
# After a rate-limit code, wait at least this long: the limit may be per minute, and the API
# sends no header saying which.
DEFAULT_RATE_LIMIT_BACKOFF_SECONDS = 60.0
# Reports: `sync` (report/integrated/get) or `async` (report/task/*). A synchronous report over
# more than ~10,000 ads answers 40067; then `split` re-requests it in batches of campaign (then
# ad group, then ad) ids, or `async` runs it as a task.
REPORT_MODES = ("sync", "async")
TOO_LARGE_FALLBACKS = ("split", "async")
DEFAULT_REPORT_TASK_TIMEOUT_SECONDS = 1800
DEFAULT_REPORT_TASK_POLL_SECONDS = 2.0
MAX_REPORT_TASK_POLL_SECONDS = 30.0
REPORT_TASK_RATE_PER_SECOND = 2.0  # reference: ~2/s for async report creation (unconfirmed)

ACCESS_TOKEN_HEADER = "Access-Token"
AUTHORIZED_ADVERTISERS_PATH = f"{API_ROOT}/oauth2/advertiser/get/"
ADVERTISER_INFO_PATH = f"{API_ROOT}/advertiser/info/"
CAMPAIGN_GET_PATH = f"{API_ROOT}/campaign/get/"
ADGROUP_GET_PATH = f"{API_ROOT}/adgroup/get/"
AD_GET_PATH = f"{API_ROOT}/ad/get/"
REPORT_PATH = f"{API_ROOT}/report/integrated/get/"
GMV_MAX_REPORT_PATH = f"{API_ROOT}/gmv_max/report/get/"
REPORT_TASK_CREATE_PATH = f"{API_ROOT}/report/task/create/"
REPORT_TASK_CHECK_PATH = f"{API_ROOT}/report/task/check/"
REPORT_TASK_CANCEL_PATH = f"{API_ROOT}/report/task/cancel/"
ADVERTISER_INFO_MAX_IDS = 100
REPORT_FILTER_MAX_IDS = 100  # reference: filter by up to 100 campaign/ad group/ad ids a call
CODE_QUERY_TOO_LARGE = 40067
DATA_LEVELS = ("AUCTION_ADVERTISER", "AUCTION_CAMPAIGN", "AUCTION_ADGROUP", "AUCTION_AD")


@dataclass(frozen=True)
class ReportTaskFields:
    """How report/task/check answers, in one place: public sources disagree on the status
    values (QUEUING/PROCESSING/SUCCESS/FAILED vs PENDING/RUNNING/DONE) and on where the file
    is (a URL in the check answer vs a separate download call). *Unconfirmed*: adjust here."""

    status: str = "status"
    done: frozenset[str] = frozenset({"SUCCESS", "DONE"})
    failed: frozenset[str] = frozenset({"FAILED", "FAIL", "CANCELED", "CANCELLED"})
    download_url: tuple[str, ...] = ("download_url", "file_url", "url")
    message: tuple[str, ...] = ("message", "fail_reason", "error_message")
    # Body fields of report/task/create beyond the synchronous report's (official SDK names).
    create_extras: tuple[tuple[str, Any], ...] = (
        ("output_format", "CSV_DOWNLOAD"),
        ("enable_report_title_translation", False),  # CSV headers = field names, not titles
    )


REPORT_TASK_FIELDS = ReportTaskFields()

# GMV Max report (`/gmv_max/report/get/`): one `store_ids` entry per call, up to 3 dimensions.
# Its metric names are *unconfirmed* (reference): this table is the one place they live, with
# what each holds. Amounts are in the advertiser's currency, days on its time zone.
GMV_MAX_METRICS: dict[str, str] = {
    "cost": "spend of the GMV Max campaign (money)",
    "orders": "orders attributed to it (count)",
    "gross_revenue": "attributed gross revenue (money)",
    "roi": "gross_revenue / cost as the API reports it (display only)",
}
GMV_MAX_DIMENSIONS = ("campaign_id", "stat_time_day")
GMV_MAX_MAX_DIMENSIONS = 3

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


class TikTokAdsNotConfiguredError(TikTokAdsConfigError):
    """None of the TIKTOK_ADS_* variables is set: this seller has not connected Ads. A run
    skips the source with this message, never falls back to a sandbox."""


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


class TikTokAdsReportTaskError(TikTokAdsError):
    """An asynchronous report task that failed, was cancelled or did not finish in time."""

    def __init__(
        self, message: str, advertiser_id: str, task_id: str, request_id: str, status: str
    ) -> None:
        super().__init__(message)
        self.advertiser_id = advertiser_id
        self.task_id = task_id
        self.request_id = request_id
        self.status = status

    def __reduce__(self) -> tuple[Any, ...]:
        args = (str(self), self.advertiser_id, self.task_id, self.request_id, self.status)
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
    report_mode: str = "sync"
    too_large_fallback: str = "split"
    report_task_timeout_seconds: float = DEFAULT_REPORT_TASK_TIMEOUT_SECONDS
    report_task_poll_seconds: float = DEFAULT_REPORT_TASK_POLL_SECONDS

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
        if self.report_mode not in REPORT_MODES:
            raise TikTokAdsConfigError(
                f"{ENV_REPORT_MODE}={self.report_mode!r} must be one of {', '.join(REPORT_MODES)}"
            )
        if self.too_large_fallback not in TOO_LARGE_FALLBACKS:
            raise TikTokAdsConfigError(
                f"{ENV_TOO_LARGE_FALLBACK}={self.too_large_fallback!r} must be one of "
                f"{', '.join(TOO_LARGE_FALLBACKS)}"
            )
        if self.report_task_timeout_seconds <= 0 or self.report_task_poll_seconds <= 0:
            raise TikTokAdsConfigError(
                f"{ENV_REPORT_TASK_TIMEOUT_SECONDS} and the task poll interval must be positive"
            )

    @property
    def discovers_advertisers(self) -> bool:
        return not self.advertiser_ids

    @staticmethod
    def is_configured(environ: Mapping[str, str] | None = None) -> bool:
        """Whether any TIKTOK_ADS_* setting is present (then `from_env` needs the credentials)."""
        env = os.environ if environ is None else environ
        return any((env.get(name) or "").strip() for name in SETTING_VARIABLES)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> TikTokAdsSettings:
        """Settings from the environment only.

        None set: not configured (`TikTokAdsNotConfiguredError`); the sandbox only when a run
        points here on purpose (`sandbox_defaults.sandbox_environment`). Some set: the token
        plus either the advertiser ids or the app id and secret (for discovery), or an error
        naming what is missing, so a half-configured run never sends a sandbox's or another
        app's credentials anywhere.
        """
        env = os.environ if environ is None else environ
        values = {name: (env.get(name) or "").strip() for name in CREDENTIAL_VARIABLES}
        base_url = (env.get(ENV_BASE_URL) or "").strip()
        limits = _limits_from_env(env)
        if not cls.is_configured(env):
            raise TikTokAdsNotConfiguredError(
                f"TikTok Ads is not configured: set {ENV_ACCESS_TOKEN} and either "
                f"{ENV_ADVERTISER_IDS} or {ENV_APP_ID} and {ENV_APP_SECRET} ({ENV_BASE_URL} "
                "defaults to production), or run `linkstar run --with-sandbox` to load from "
                "the local sandbox.",
                missing=(ENV_ACCESS_TOKEN,),
            )
        described, missing = _missing_credentials(values)
        if missing:
            raise TikTokAdsConfigError(
                f"TikTok Ads credentials are incomplete: set {' and '.join(described)}, or unset "
                "every TIKTOK_ADS_* variable if this seller does not use TikTok Ads.",
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
        "report_mode": (env.get(ENV_REPORT_MODE) or "sync").strip().lower(),
        "too_large_fallback": (env.get(ENV_TOO_LARGE_FALLBACK) or "split").strip().lower(),
        "report_task_timeout_seconds": _int_from_env(
            env, ENV_REPORT_TASK_TIMEOUT_SECONDS, DEFAULT_REPORT_TASK_TIMEOUT_SECONDS
        ),
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
    method: str = "GET"
    body: Mapping[str, Any] | None = None  # JSON body of POST calls

    @property
    def where(self) -> str:
        """What locates an answer that carries no request id: " (page 2, advertiser 7000...)"."""
        parts = [f"page {self.params['page']}"] if "page" in self.params else []
        parts += [f"advertiser {self.advertiser_id}"] if self.advertiser_id else []
        return f" ({', '.join(parts)})" if parts else ""


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
        task_limiter: RateLimiter | None = None,
        monotonic: Callable[[], float] = time.monotonic,
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
        self._task_limiter = task_limiter or shared_limiter(
            "tiktok_ads_report_task", settings.base_url, REPORT_TASK_RATE_PER_SECOND, 1
        )
        self._monotonic = monotonic

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
        """Every page of a report over advertiser-local days `start`..`end` (inclusive), cut
        into windows of at most `report_window_days` days; rows have the same shape whichever
        way they were fetched (`report_mode`, and the 40067 fallback)."""
        if data_level not in DATA_LEVELS:
            raise ValueError(f"data_level must be one of {', '.join(DATA_LEVELS)}")
        if not metrics or not dimensions:
            raise ValueError("metrics and dimensions must each name at least one field")
        if not isinstance(advertiser_id, str) or not advertiser_id.isdigit():
            raise ValueError(f"advertiser_id must be a numeric string, got {advertiser_id!r}")
        query = ReportQuery(report_type, data_level, tuple(dimensions), tuple(metrics))
        windows = split_date_range(start, end, self.settings.report_window_days)
        return self._report_windows(advertiser_id, query, windows)

    def _report_windows(
        self, advertiser_id: str, query: ReportQuery, windows: list[tuple[date, date]]
    ) -> Iterator[AdsResponse]:
        for first, last in windows:
            if self.settings.report_mode == "async":
                yield self.run_report_task(advertiser_id, query, first, last)
            else:
                yield from self._sync_report(advertiser_id, query, first, last)

    def _sync_report(
        self, advertiser_id: str, query: ReportQuery, first: date, last: date
    ) -> Iterator[AdsResponse]:
        params = query.params(first, last)
        try:
            page_one = self._page(REPORT_PATH, advertiser_id, params, 1)
        except TikTokAdsApiError as err:
            if err.code != CODE_QUERY_TOO_LARGE:
                raise
            logger.info(
                "TikTok Ads report for advertiser %s, %s..%s is too large for one synchronous "
                "report (request_id %s): %s",
                advertiser_id,
                first,
                last,
                err.request_id,
                "splitting it by ids" if self.settings.too_large_fallback == "split" else "async",
            )
            if self.settings.too_large_fallback == "async":
                yield self.run_report_task(advertiser_id, query, first, last)
                return
            levels = _SPLIT_LEVELS[: _SPLITTABLE_DEPTH.get(query.data_level, 0)]
            if not levels:
                raise
            yield from self._split_report(advertiser_id, params, levels, None, err)
            return
        yield from self._walk(REPORT_PATH, advertiser_id, params, page_one)

    def _split_report(
        self,
        advertiser_id: str,
        params: Mapping[str, str],
        levels: Sequence[_SplitLevel],
        parent_ids: list[str] | None,
        too_large: TikTokAdsApiError,
    ) -> Iterator[AdsResponse]:
        """The report again, filtered by batches of up to 100 ids of `levels[0]` (within
        `parent_ids` of the level above). Every row belongs to exactly one batch, so the union
        is the unsplit report."""
        level = levels[0]
        parent = {level.parent_filter: parent_ids} if parent_ids else None
        listing = getattr(self, level.lister)(advertiser_id, filtering=parent)
        ids = list(dict.fromkeys(str(row[level.id_field]) for page in listing for row in page.rows))
        for i in range(0, len(ids), REPORT_FILTER_MAX_IDS):
            batch = ids[i : i + REPORT_FILTER_MAX_IDS]
            yield from self._report_for_ids(advertiser_id, params, levels, batch)

    def _report_for_ids(
        self,
        advertiser_id: str,
        params: Mapping[str, str],
        levels: Sequence[_SplitLevel],
        batch: list[str],
    ) -> Iterator[AdsResponse]:
        """One filtered report; still too large, it is halved, and a single id too large is
        split by the level below (a campaign by its ad groups, an ad group by its ads)."""
        filtered = {**params, "filtering": report_id_filtering(levels[0].filter_field, batch)}
        try:
            page_one = self._page(REPORT_PATH, advertiser_id, filtered, 1)
        except TikTokAdsApiError as err:
            if err.code != CODE_QUERY_TOO_LARGE:
                raise
            if len(batch) > 1:
                half = len(batch) // 2
                yield from self._report_for_ids(advertiser_id, params, levels, batch[:half])
                yield from self._report_for_ids(advertiser_id, params, levels, batch[half:])
                return
            if len(levels) == 1:
                raise
            yield from self._split_report(advertiser_id, params, levels[1:], batch, err)
            return
        yield from self._walk(REPORT_PATH, advertiser_id, filtered, page_one)

    def iter_gmv_max_report_pages(
        self,
        advertiser_id: str,
        store_id: str,
        start: date,
        end: date,
        *,
        metrics: Sequence[str] = tuple(GMV_MAX_METRICS),
        dimensions: Sequence[str] = GMV_MAX_DIMENSIONS,
    ) -> Iterator[AdsResponse]:
        """Every page of the GMV Max report of one store (the API takes one per call) over
        advertiser-local days `start`..`end`, in windows of `report_window_days`."""
        if not str(store_id).isdigit():
            raise ValueError(f"store_id must be a numeric string, got {store_id!r}")
        if not 1 <= len(dimensions) <= GMV_MAX_MAX_DIMENSIONS or not metrics:
            raise ValueError(f"GMV Max reports take 1-{GMV_MAX_MAX_DIMENSIONS} dimensions")
        base = {
            "store_ids": compact_json([str(store_id)]),
            "dimensions": compact_json(list(dimensions)),
            "metrics": compact_json(list(metrics)),
        }
        for first, last in split_date_range(start, end, self.settings.report_window_days):
            params = {**base, "start_date": first.isoformat(), "end_date": last.isoformat()}
            yield from self._pages(GMV_MAX_REPORT_PATH, advertiser_id, params)

    # -- asynchronous report tasks -------------------------------------------------------------

    def run_report_task(
        self, advertiser_id: str, query: ReportQuery, first: date, last: date
    ) -> AdsResponse:
        """create → check with back-off until done (or `report_task_timeout_seconds`, then
        cancel) → download the CSV → one response whose rows have the synchronous shape."""
        body: dict[str, Any] = {
            "advertiser_id": advertiser_id,
            "report_type": query.report_type,
            "data_level": query.data_level,
            "dimensions": list(query.dimensions),
            "metrics": list(query.metrics),
            "start_date": first.isoformat(),
            "end_date": last.isoformat(),
            **dict(REPORT_TASK_FIELDS.create_extras),
        }
        self._task_limiter.acquire()
        created = self._call(
            _Request(REPORT_TASK_CREATE_PATH, {}, advertiser_id, method="POST", body=body)
        )
        task_id = str(created.data.get("task_id") or "")
        if not task_id:
            raise TikTokAdsResponseError(
                f"TikTok Ads POST {REPORT_TASK_CREATE_PATH} for advertiser {advertiser_id} "
                f"(request_id {created.request_id or 'none'}) returned no task_id.",
                REPORT_TASK_CREATE_PATH,
                created.http_status,
                created.request_id,
                advertiser_id,
            )
        check = self._wait_for_task(advertiser_id, task_id)
        url = next(
            (str(check.data[f]) for f in REPORT_TASK_FIELDS.download_url if check.data.get(f)),
            "",
        )
        if not url:
            raise self._task_error(advertiser_id, task_id, check, "finished without a file URL")
        return self._download_task_file(advertiser_id, task_id, query, url, check)

    def _wait_for_task(self, advertiser_id: str, task_id: str) -> AdsResponse:
        fields_ = REPORT_TASK_FIELDS
        deadline = self._monotonic() + self.settings.report_task_timeout_seconds
        wait = self.settings.report_task_poll_seconds
        params = {"advertiser_id": advertiser_id, "task_id": task_id}
        while True:
            check = self._call(_Request(REPORT_TASK_CHECK_PATH, params, advertiser_id))
            status = str(check.data.get(fields_.status) or "")
            if status in fields_.done:
                return check
            if status in fields_.failed:
                raise self._task_error(advertiser_id, task_id, check, f"ended {status}")
            if self._monotonic() + wait > deadline:
                self._cancel_quietly(advertiser_id, task_id)
                limit = self.settings.report_task_timeout_seconds
                raise self._task_error(
                    advertiser_id,
                    task_id,
                    check,
                    f"was still {status or 'unknown'} after {limit:g}s (cancelled; raise "
                    f"{ENV_REPORT_TASK_TIMEOUT_SECONDS} or use {ENV_REPORT_MODE}=sync)",
                )
            self._sleep(wait)
            wait = min(wait * 2, MAX_REPORT_TASK_POLL_SECONDS)

    def cancel_report_task(self, advertiser_id: str, task_id: str) -> AdsResponse:
        body = {"advertiser_id": advertiser_id, "task_id": task_id}
        return self._call(
            _Request(REPORT_TASK_CANCEL_PATH, {}, advertiser_id, method="POST", body=body)
        )

    def _cancel_quietly(self, advertiser_id: str, task_id: str) -> None:
        try:
            self.cancel_report_task(advertiser_id, task_id)
        except TikTokAdsError as err:
            logger.warning("Could not cancel TikTok Ads report task %s: %s", task_id, err)

    def _task_error(
        self, advertiser_id: str, task_id: str, check: AdsResponse, what: str
    ) -> TikTokAdsReportTaskError:
        status = str(check.data.get(REPORT_TASK_FIELDS.status) or "")
        reason = next(
            (str(check.data[f]) for f in REPORT_TASK_FIELDS.message if check.data.get(f)), ""
        )
        return TikTokAdsReportTaskError(
            f"TikTok Ads report task {task_id} for advertiser {advertiser_id} {what} "
            f"(request_id {check.request_id or 'none'}){f': {reason}' if reason else ''}. "
            "Run the load again; if it keeps failing, shorten the range or use "
            f"{ENV_REPORT_MODE}=sync.",
            advertiser_id,
            task_id,
            check.request_id,
            status,
        )

    def _download_task_file(
        self,
        advertiser_id: str,
        task_id: str,
        query: ReportQuery,
        url: str,
        check: AdsResponse,
    ) -> AdsResponse:
        """The file is fetched without the token (a signed link, maybe on another host)."""

        def attempt(_: int) -> requests.Response:
            http = send(
                self._session,
                "GET",
                url,
                timeout=self.timeout,
                no_answer=lambda reason, what: RetryableError(
                    reason,
                    TikTokAdsUnreachableError(
                        f"The report file of task {task_id} (advertiser {advertiser_id}) "
                        f"{what}: {reason}",
                        url.split("?")[0],
                        REPORT_TASK_CHECK_PATH,
                    ),
                ),
            )
            if http.status_code != 200:
                error = self._task_error(
                    advertiser_id, task_id, check, f"file download answered HTTP {http.status_code}"
                )
                if http.status_code == 429 or http.status_code >= 500:
                    raise RetryableError(f"HTTP {http.status_code}", error)
                raise error
            return http

        http = run_with_retries(
            attempt,
            self.retry,
            rng=self._rng,
            sleep=self._sleep,
            describe=f"TikTok Ads report file of task {task_id}",
            log=logger,
        )
        text = http.content.decode("utf-8-sig")
        rows = self._csv_rows(advertiser_id, task_id, query, text, check)
        data = {
            "list": rows,
            "page_info": {"page": 1, "page_size": len(rows), "total_number": len(rows)},
            "task_id": task_id,
        }
        data["page_info"]["total_page"] = 1
        envelope = {"code": 0, "message": "OK", "request_id": check.request_id, "data": data}
        return AdsResponse(
            endpoint=REPORT_TASK_CHECK_PATH,
            advertiser_id=advertiser_id,
            params={**query.params_for_log(), "task_id": task_id},
            http_status=http.status_code,
            request_id=check.request_id,
            fetched_at=datetime.now(UTC),
            text=compact_json(envelope),
            data=data,
            attempts=1,
        )

    def _csv_rows(
        self, advertiser_id: str, task_id: str, query: ReportQuery, text: str, check: AdsResponse
    ) -> list[dict[str, Any]]:
        reader = csv.DictReader(io.StringIO(text))
        missing = [
            c for c in query.dimensions + query.metrics if c not in (reader.fieldnames or [])
        ]
        if missing:
            raise self._task_error(
                advertiser_id, task_id, check, f"file lacks the columns {', '.join(missing)}"
            )
        return [
            {
                "dimensions": {name: row[name] for name in query.dimensions},
                "metrics": {name: row[name] for name in query.metrics},
            }
            for row in reader
        ]

    # -- paging ----------------------------------------------------------------------------

    def _pages(
        self, path: str, advertiser_id: str, extra: Mapping[str, str]
    ) -> Iterator[AdsResponse]:
        """Pages 1..total_page; the first page says how many there are."""
        if not isinstance(advertiser_id, str) or not advertiser_id.isdigit():
            raise ValueError(f"advertiser_id must be a numeric string, got {advertiser_id!r}")
        return self._walk(path, advertiser_id, extra)

    def _page(
        self, path: str, advertiser_id: str, extra: Mapping[str, str], page: int
    ) -> AdsResponse:
        params = {
            "advertiser_id": advertiser_id,
            **extra,
            "page": str(page),
            "page_size": str(self.settings.page_size),
        }
        return self._call(_Request(path, params, advertiser_id))

    def _walk(
        self,
        path: str,
        advertiser_id: str,
        extra: Mapping[str, str],
        first: AdsResponse | None = None,
    ) -> Iterator[AdsResponse]:
        """Pages 1..total_page, each checked (connectors/paging): a page must carry `list`
        while rows are owed, and must bring a row not seen before."""
        walk = PageWalk(self.settings.page_size)
        page = 1
        while True:
            response = self._checked_page(path, advertiser_id, extra, page, walk, first)
            first = None
            yield response
            more = page < _total_pages(response) and bool(response.rows)
            problem = walk.take(response.rows, total=_total_number(response), more=more)
            if problem:
                raise self._paging_error(response, page, problem)
            if not more:
                return
            page += 1

    def _checked_page(
        self,
        path: str,
        advertiser_id: str,
        extra: Mapping[str, str],
        page: int,
        walk: PageWalk,
        first: AdsResponse | None,
    ) -> AdsResponse:
        """Page `page` (`first` when already fetched); a page without its list while rows are
        owed is asked for again like a body cut short, then refused."""

        def attempt(number: int) -> AdsResponse:
            response = first if first is not None and number == 1 else None
            response = response or self._page(path, advertiser_id, extra, page)
            more = page < _total_pages(response)
            total = _total_number(response)
            problem = walk.list_problem(response.data, "list", total=total, more=more)
            if problem:
                error = self._paging_error(response, page, problem)
                raise RetryableError(
                    f"page without its list, request_id {response.request_id}", error
                )
            return response

        return run_with_retries(
            attempt,
            self.retry,
            rng=self._rng,
            sleep=self._sleep,
            describe=f"TikTok Ads GET {path} page {page}",
            log=logger,
        )

    @staticmethod
    def _paging_error(response: AdsResponse, page: int, problem: str) -> TikTokAdsResponseError:
        return TikTokAdsResponseError(
            f"TikTok Ads GET {response.endpoint} page {page} (advertiser "
            f"{response.advertiser_id or '-'}, request_id {response.request_id or 'none'}): "
            f"{problem}. The walk is refused rather than returning fewer rows; report it with "
            "the request id.",
            response.endpoint,
            response.http_status,
            response.request_id,
            response.advertiser_id,
        )

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
            describe=f"TikTok Ads {request.method} {request.path}",
            log=logger,
        )

    def _attempt(self, request: _Request, attempt: int, floor: _RateLimitFloor) -> AdsResponse:
        http = self._send(request)
        fetched_at = datetime.now(UTC)
        text, envelope, problem = read_envelope(http.content)
        request_id = str(envelope.get("request_id") or "") if envelope else ""
        logger.debug(
            "TikTok Ads %s %s advertiser=%s -> HTTP %d code=%s request_id=%s attempt=%d",
            request.method,
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
        extra: dict[str, Any] = {"params": dict(request.params)} if request.params else {}
        if request.body is not None:
            extra["json"] = dict(request.body)
        return send(
            self._session,
            request.method,
            self.settings.base_url + request.path,
            timeout=self.timeout,
            no_answer=lambda reason, what: self._no_answer(request, reason, what),
            headers=headers,
            **extra,
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
            f"The TikTok Ads API at {base_url} {what} ({request.method} {request.path}"
            f"{request.where}, {self.retry.max_attempts} attempt(s), last: {reason}). "
            + no_answer_hint(
                what,
                f"Start the local sandbox with `linkstar sandbox`, or set {ENV_BASE_URL} to the "
                f"real API ({PRODUCTION_BASE_URL}).",
            ),
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
            f"TikTok Ads {request.method} {request.path}{request.where} answered HTTP {status} "
            f"with {problem}, not the "
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
                f"TikTok Ads {request.method} {request.path}{request.where} (HTTP {status}, "
                f"request_id {request_id or 'none'}) returned `data` as {type(data).__name__}, "
                "expected a JSON object.",
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


@dataclass(frozen=True)
class ReportQuery:
    """What a BASIC report asks for, whichever way (sync page, filtered batch, async task)."""

    report_type: str
    data_level: str
    dimensions: tuple[str, ...]
    metrics: tuple[str, ...]

    def params(self, first: date, last: date) -> dict[str, str]:
        return {
            "report_type": self.report_type,
            "data_level": self.data_level,
            "dimensions": compact_json(list(self.dimensions)),
            "metrics": compact_json(list(self.metrics)),
            "start_date": first.isoformat(),
            "end_date": last.isoformat(),
        }

    def params_for_log(self) -> dict[str, str]:
        return {
            "report_type": self.report_type,
            "data_level": self.data_level,
            "dimensions": compact_json(list(self.dimensions)),
            "metrics": compact_json(list(self.metrics)),
        }


class _SplitLevel(NamedTuple):
    filter_field: str  # report `filtering` field_name
    lister: str  # client method listing the ids
    id_field: str
    parent_filter: str  # entity `filtering` key naming the level above


_SPLIT_LEVELS = (
    _SplitLevel("campaign_ids", "iter_campaigns", "campaign_id", ""),
    _SplitLevel("adgroup_ids", "iter_adgroups", "adgroup_id", "campaign_ids"),
    _SplitLevel("ad_ids", "iter_ads", "ad_id", "adgroup_ids"),
)
# How many split levels keep rows whole at each data level (an advertiser-level row would be
# cut into parts by any id filter, so it is never split).
_SPLITTABLE_DEPTH = {"AUCTION_CAMPAIGN": 1, "AUCTION_ADGROUP": 2, "AUCTION_AD": 3}


def report_id_filtering(field_name: str, ids: Sequence[str]) -> str:
    """A report's `filtering` by ids, as TikTok's official SDK writes it: a list of
    {field_name, filter_type "IN", filter_value (the ids as JSON text)}."""
    if not 1 <= len(ids) <= REPORT_FILTER_MAX_IDS:
        raise ValueError(f"a report filter names 1-{REPORT_FILTER_MAX_IDS} ids, got {len(ids)}")
    entry = {"field_name": field_name, "filter_type": "IN", "filter_value": compact_json(list(ids))}
    return compact_json([entry])


def _filtering(filtering: Mapping[str, Any] | None) -> dict[str, str]:
    return {"filtering": compact_json(dict(filtering))} if filtering else {}


def _loggable(params: Mapping[str, str]) -> dict[str, str]:
    return {k: (_REDACTED if k in _SECRET_PARAMS else v) for k, v in params.items()}


def _total_number(response: AdsResponse) -> int | None:
    return reported_total(response.page_info.get("total_number"))


def _total_pages(response: AdsResponse) -> int:
    total = response.page_info.get("total_page")
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise TikTokAdsResponseError(
            f"TikTok Ads GET {response.endpoint} page {response.params.get('page', '-')} "
            f"(advertiser {response.advertiser_id or '-'}, request_id "
            f"{response.request_id or 'none'}) returned page_info.total_page {total!r}, expected "
            "a whole number: the page says nothing of how many pages there are.",
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
        "orders",
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
