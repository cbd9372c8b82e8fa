"""TikTok Marketing API v1.3 request handling for the sandbox, without any HTTP server.

`TikTokAdsApi.handle` takes a parsed request and returns status, body and an optional delay,
like `TikTokShopApi`. Unlike the shop API every routed answer is HTTP 200: the envelope's
`code` says what went wrong. Checks run route, fault injection, access token, rate limit,
parameters, advertiser access. Figures come from `sandbox.ads_generator` at the data clock.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from connectors.sandbox_defaults import (
    TIKTOK_ADS_SANDBOX_ACCESS_TOKEN,
    TIKTOK_ADS_SANDBOX_APP_ID,
    TIKTOK_ADS_SANDBOX_APP_SECRET,
    TIKTOK_ADS_SANDBOX_EXPIRED_ACCESS_TOKEN,
    TIKTOK_ADS_SANDBOX_SINGLE_ADVERTISER_TOKEN,
)
from sandbox.ads_generator import (
    Ad,
    AdDayStats,
    AdsDataset,
    GmvMaxDay,
    combined_reach,
    gmv_max_as_of,
    local_days,
    stats_as_of,
)
from sandbox.faults import ListFaults, TransportDraw, TransportFaults
from sandbox.journal import RequestJournal
from sandbox.tiktok_ads_tasks import ReportTasks, TaskNotFound
from sandbox.tiktok_shop_api import ApiError, ApiRequest, ApiResponse, TokenBucket

logger = logging.getLogger(__name__)

PATH_PREFIX = "/open_api/"
API_ROOT = "/open_api/v1.3"
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
# Where finished task files are served. The real API hands out a download URL whose host and
# shape are unconfirmed; the sandbox serves the file itself, signed, without the token.
REPORT_FILE_PATH = f"{API_ROOT}/sandbox_files/report/"

# Codes from the reference's return-code list.
CODE_OK = 0
CODE_NO_PERMISSION = 40001  # sandbox use: wrong app_id/secret on oauth2/advertiser/get
CODE_BAD_PARAMETER = 40002
CODE_QUERY_TOO_LARGE = 40067
CODE_RATE_LIMITED = 40100
CODE_TOKEN_EXPIRED = 40102
CODE_TOKEN_EMPTY = 40104
CODE_TOKEN_INVALID = 40105
CODE_TOKEN_NOT_FOR_ADVERTISER = 40106  # the advertiser exists, the token does not reach it
CODE_ADVERTISER_MISSING = 40300  # no such advertiser
CODE_SYSTEM_ERROR = 50000
CODE_SYSTEM_BUSY = 50002
CODE_MAINTENANCE = 60001

ADVERTISER_INFO_MAX_IDS = 100
REPORT_FILTER_MAX_IDS = 100  # a report `filtering` entry names up to 100 ids
# Report `filtering` as the official SDK writes it: a list of
# {"field_name", "filter_type": "IN", "filter_value": "<JSON list of ids>"}.
REPORT_ID_FILTERS = {"campaign_ids": "campaign_id", "adgroup_ids": "adgroup_id", "ad_ids": "ad_id"}
PAGE_SIZE_DEFAULT = 10
LEVEL_ID_DIMENSION = {
    "AUCTION_ADVERTISER": "advertiser_id",
    "AUCTION_CAMPAIGN": "campaign_id",
    "AUCTION_ADGROUP": "adgroup_id",
    "AUCTION_AD": "ad_id",
}
DAY_DIMENSION = "stat_time_day"
# Attributes requested as metrics, valid only at and below the level they describe.
LEVEL_ATTRIBUTES = {
    "AUCTION_ADVERTISER": ("currency",),
    "AUCTION_CAMPAIGN": ("currency", "campaign_name"),
    "AUCTION_ADGROUP": ("currency", "campaign_name", "campaign_id", "adgroup_name"),
    "AUCTION_AD": (
        "currency",
        "campaign_name",
        "campaign_id",
        "adgroup_name",
        "adgroup_id",
        "ad_name",
    ),
}
SUMMED_METRICS = (
    "spend",
    "impressions",
    "clicks",
    "conversion",
    "complete_payment",
    "total_onsite_shopping_value",
    "video_play_actions",
    "video_watched_2s",
    "video_watched_6s",
    "likes",
    "comments",
    "shares",
    "follows",
    "profile_visits",
)
DERIVED_METRICS = (
    "reach",
    "ctr",
    "cpc",
    "cpm",
    "cost_per_conversion",
    "conversion_rate",
    "total_complete_payment_rate",
    "complete_payment_roas",
    "onsite_shopping",
    "onsite_shopping_roas",
    "average_video_play",
)
NUMERIC_METRICS = frozenset(SUMMED_METRICS + DERIVED_METRICS)
_MONEY = frozenset({"spend", "total_onsite_shopping_value"})
_FILTERS = {
    CAMPAIGN_GET_PATH: ("campaign_ids",),
    ADGROUP_GET_PATH: ("campaign_ids", "adgroup_ids"),
    AD_GET_PATH: ("campaign_ids", "adgroup_ids", "ad_ids"),
}
# GMV Max report (reference: one store_id per call, up to 3 dimensions; metric names are
# unconfirmed and mirrored in the client's GMV_MAX_METRICS).
GMV_MAX_DIMENSIONS = ("advertiser_id", "campaign_id", "stat_time_day")
GMV_MAX_METRICS = ("cost", "orders", "gross_revenue", "roi")
GMV_MAX_MAX_DIMENSIONS = 3
_CENT = Decimal("0.01")
_NOT_FOUND = b"404 page not found"


@dataclass(frozen=True)
class AdsApiSettings:
    """Knobs of the emulated API; limits marked unconfirmed in the reference are knobs here."""

    seed: int = 7
    rate_limit_per_second: float = 10.0  # reference: ~10/s on the basic tier (unconfirmed)
    rate_limit_burst: int = 20
    fault_rate: float = 0.0  # share of answers replaced by 50000/50002/60001
    slow_rate: float = 0.0
    slow_seconds: float = 5.0
    # Share of API answers sent with their full Content-Length but half their body, then a
    # hang-up (the report files of async tasks are served whole).
    truncate_rate: float = 0.0
    max_report_days: int = 30  # unconfirmed: public connectors use 29-30
    max_page_size: int = 1000  # unconfirmed
    max_report_entities: int = 10_000  # a synchronous report returns at most ~10,000 ads
    # Asynchronous report tasks: ~2 creations/second (unconfirmed); a task answers QUEUING,
    # then PROCESSING, and SUCCESS on the Nth check; a share of tasks FAIL (tests set it).
    report_task_rate_per_second: float = 2.0
    report_task_burst: int = 2
    report_task_checks_to_finish: int = 3
    report_task_failure_rate: float = 0.0
    # Paging faults: a share of list pages lose `data.list` (or carry an object in its
    # place), `page_info` untouched; `repeat_pages` serves the first page's rows on every page.
    list_fault_rate: float = 0.0
    list_fault: str = "missing"
    repeat_pages: bool = False
    # "-" (no value) as the shopping value of every row without a completed payment.
    dash_unpaid_value: bool = False
    # A share of ads (picked by a hash of seed and ad id) the advertiser deleted: left out of
    # ad-level reports, their spend still in the advertiser, campaign and ad group totals —
    # ad-level figures summed fall short of the account's (issue #14's reconciliation).
    deleted_ad_rate: float = 0.0
    app_secrets: Mapping[str, str] = field(
        default_factory=lambda: {TIKTOK_ADS_SANDBOX_APP_ID: TIKTOK_ADS_SANDBOX_APP_SECRET}
    )
    # Token -> how many of the world's advertisers (in id order) it reaches; None: all.
    access_tokens: Mapping[str, int | None] = field(
        default_factory=lambda: {
            TIKTOK_ADS_SANDBOX_ACCESS_TOKEN: None,
            TIKTOK_ADS_SANDBOX_SINGLE_ADVERTISER_TOKEN: 1,
        }
    )
    expired_tokens: frozenset[str] = frozenset({TIKTOK_ADS_SANDBOX_EXPIRED_ACCESS_TOKEN})


Handler = Callable[[ApiRequest, frozenset[str]], dict]


class TikTokAdsApi:
    """The emulated Marketing API over one ads world; `data_clock` decides what is reported."""

    def __init__(
        self,
        ads: AdsDataset,
        settings: AdsApiSettings,
        data_clock: Callable[[], int],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ads = ads
        self.settings = settings
        self._data_clock = data_clock
        self._bucket = TokenBucket(
            settings.rate_limit_per_second, settings.rate_limit_burst, monotonic
        )
        self._faults = TransportFaults(f"{settings.seed}:ads-faults", settings)
        self._list_faults = ListFaults(
            settings.list_fault_rate, settings.list_fault, f"{settings.seed}:ads"
        )
        self._journal = RequestJournal()
        self._ordered_ids = sorted(a.advertiser_id for a in ads.advertisers)
        self._names = {c.campaign_id: c.name for c in ads.campaigns} | {
            g.adgroup_id: g.name for g in ads.adgroups
        }
        self._task_bucket = TokenBucket(
            settings.report_task_rate_per_second, settings.report_task_burst, monotonic
        )
        self.tasks = ReportTasks(
            settings.seed, settings.report_task_checks_to_finish, settings.report_task_failure_rate
        )
        self._routes: dict[str, tuple[str, Handler]] = {
            AUTHORIZED_ADVERTISERS_PATH: ("GET", self._authorized_advertisers),
            ADVERTISER_INFO_PATH: ("GET", self._advertiser_info),
            CAMPAIGN_GET_PATH: ("GET", self._campaigns),
            ADGROUP_GET_PATH: ("GET", self._adgroups),
            AD_GET_PATH: ("GET", self._ads),
            REPORT_PATH: ("GET", self._report),
            GMV_MAX_REPORT_PATH: ("GET", self._gmv_max_report),
            REPORT_TASK_CREATE_PATH: ("POST", self._create_report_task),
            REPORT_TASK_CHECK_PATH: ("GET", self._check_report_task),
            REPORT_TASK_CANCEL_PATH: ("POST", self._cancel_report_task),
        }

    @property
    def request_log(self) -> list[tuple[str, str, int, int | None]]:
        """Snapshot of (method, path, http_status, api_code) for every request so far."""
        return self._journal.entries()

    def handle(self, request: ApiRequest) -> ApiResponse:
        request_id = self._journal.next_request_id()
        if request.path == REPORT_FILE_PATH:
            response = self._report_file(request)
            self._journal.record(request.method, request.path, response.status, None)
            return response
        method, handler = self._routes.get(request.path, ("GET", None))
        if handler is None or request.method != method:
            # Outside the API's routes (a missing trailing slash included) the gateway answers
            # like a plain web server, not with the JSON envelope.
            response = ApiResponse(404 if handler is None else 405, _NOT_FOUND, "text/plain", None)
            draw = TransportDraw()
        else:
            draw = self._faults.draw()
            try:
                if draw.fault is not None:
                    code = _fault_code(draw.fault)
                    raise ApiError(200, code, _FAULT_MESSAGES[code])
                response = _envelope(CODE_OK, "OK", request_id, self._serve(request, handler))
            except ApiError as err:
                response = _envelope(err.code, err.message, request_id, {})
        self._journal.record(request.method, request.path, response.status, response.api_code)
        if response.api_code not in (CODE_OK, None):
            logger.debug("GET %s -> code %s", request.path, response.api_code)
        return draw.apply(response)

    # ---------------------------------------------------------------- pipeline

    def _serve(self, request: ApiRequest, handler: Handler) -> dict:
        token = request.headers.get("access-token", "")
        reachable = self._reachable(token)
        if not self._bucket.allow((token, "app")):
            raise ApiError(200, CODE_RATE_LIMITED, "Too many requests: the app's rate limit")
        data = handler(request, reachable)
        return self._page_faults(request, reachable, handler, data) if "page_info" in data else data

    def _page_faults(
        self, request: ApiRequest, reachable: frozenset[str], handler: Handler, data: dict
    ) -> dict:
        """The paging fault knobs (see `AdsApiSettings`), on one list page."""
        s = self.settings
        if s.repeat_pages and request.query.get("page", "1") != "1":
            first = handler(replace(request, query={**request.query, "page": "1"}), reachable)
            data = {**data, "list": first["list"]}
        return self._list_faults.apply(data)

    def _reachable(self, token: str) -> frozenset[str]:
        if not token:
            raise ApiError(200, CODE_TOKEN_EMPTY, "Access-Token header is empty")
        if token in self.settings.expired_tokens:
            raise ApiError(200, CODE_TOKEN_EXPIRED, "Access token has expired")
        if token not in self.settings.access_tokens:
            raise ApiError(200, CODE_TOKEN_INVALID, "Access token is invalid")
        reach = self.settings.access_tokens[token]
        return frozenset(self._ordered_ids if reach is None else self._ordered_ids[:reach])

    def _advertiser_id(self, query: Mapping[str, str], reachable: frozenset[str]) -> str:
        advertiser_id = query.get("advertiser_id", "")
        if not advertiser_id.isdigit():
            raise ApiError(200, CODE_BAD_PARAMETER, "advertiser_id is required (digits)")
        self._check_access([advertiser_id], reachable)
        return advertiser_id

    def _check_access(self, advertiser_ids: Iterable[str], reachable: frozenset[str]) -> None:
        for advertiser_id in advertiser_ids:
            if self.ads.advertiser(advertiser_id) is None:
                raise ApiError(
                    200, CODE_ADVERTISER_MISSING, f"Advertiser {advertiser_id} does not exist"
                )
            if advertiser_id not in reachable:
                raise ApiError(
                    200,
                    CODE_TOKEN_NOT_FOR_ADVERTISER,
                    f"Access token does not match advertiser {advertiser_id}",
                )

    # ---------------------------------------------------------------- endpoints

    def _authorized_advertisers(self, request: ApiRequest, reachable: frozenset[str]) -> dict:
        app_id, secret = request.query.get("app_id", ""), request.query.get("secret", "")
        if not app_id or not secret:
            raise ApiError(200, CODE_BAD_PARAMETER, "app_id and secret are required")
        if self.settings.app_secrets.get(app_id) != secret:
            raise ApiError(200, CODE_NO_PERMISSION, "app_id and secret do not match")
        rows = [
            {"advertiser_id": a.advertiser_id, "advertiser_name": a.name}
            for a in self.ads.advertisers
            if a.advertiser_id in reachable
        ]
        return {"list": rows}

    def _advertiser_info(self, request: ApiRequest, reachable: frozenset[str]) -> dict:
        ids = _json_list(request.query, "advertiser_ids", required=True)
        if not 1 <= len(ids) <= ADVERTISER_INFO_MAX_IDS or not all(i.isdigit() for i in ids):
            raise ApiError(
                200,
                CODE_BAD_PARAMETER,
                f"advertiser_ids must list 1-{ADVERTISER_INFO_MAX_IDS} advertiser ids",
            )
        self._check_access(ids, reachable)
        by_id = {a.advertiser_id: a for a in self.ads.advertisers}
        return {"list": [by_id[i].api_view() for i in dict.fromkeys(ids)]}

    def _campaigns(self, request: ApiRequest, reachable: frozenset[str]) -> dict:
        advertiser_id = self._advertiser_id(request.query, reachable)
        as_of = self._data_clock()
        rows = [
            c.api_view() for c in self.ads.campaigns_of(advertiser_id) if c.create_time <= as_of
        ]
        return self._entity_page(request, rows)

    def _adgroups(self, request: ApiRequest, reachable: frozenset[str]) -> dict:
        advertiser_id = self._advertiser_id(request.query, reachable)
        as_of = self._data_clock()
        rows = [g.api_view() for g in self.ads.adgroups_of(advertiser_id) if g.create_time <= as_of]
        return self._entity_page(request, rows)

    def _ads(self, request: ApiRequest, reachable: frozenset[str]) -> dict:
        advertiser_id = self._advertiser_id(request.query, reachable)
        as_of = self._data_clock()
        rows = [
            ad.api_view(as_of) for ad in self.ads.ads_of(advertiser_id) if ad.create_time <= as_of
        ]
        return self._entity_page(request, rows)

    def _entity_page(self, request: ApiRequest, rows: list[dict]) -> dict:
        """Filter by the id lists the endpoint accepts, then serve one page, oldest first."""
        page, page_size = self._paging(request.query)
        filtering = _json_object(request.query, "filtering")
        allowed = _FILTERS[request.path]
        unknown = sorted(set(filtering) - set(allowed))
        if unknown:
            raise ApiError(
                200,
                CODE_BAD_PARAMETER,
                f"filtering supports {', '.join(allowed)} here; got {', '.join(unknown)}",
            )
        for name, wanted in filtering.items():
            if not isinstance(wanted, list) or not all(isinstance(i, str) for i in wanted):
                raise ApiError(200, CODE_BAD_PARAMETER, f"filtering.{name} must list id strings")
            key = name[:-1]  # campaign_ids -> campaign_id
            rows = [row for row in rows if row[key] in set(wanted)]
        rows.sort(key=lambda row: (row["create_time"], _row_id(row)))
        return _page(rows, page, page_size)

    def _paging(self, query: Mapping[str, str]) -> tuple[int, int]:
        page = _int_param(query, "page", 1, 1, 10**6)
        page_size = _int_param(
            query, "page_size", PAGE_SIZE_DEFAULT, 1, self.settings.max_page_size
        )
        return page, page_size

    def ad_deleted(self, ad_id: str) -> bool:
        """Whether the deleted-ads knob leaves this ad out of ad-level reports (truth)."""
        rate = self.settings.deleted_ad_rate
        if rate <= 0:
            return False
        digest = hashlib.sha256(f"{self.settings.seed}:deleted-ad:{ad_id}".encode())
        return int.from_bytes(digest.digest()[:4], "big") / 2**32 < rate

    def _report(self, request: ApiRequest, reachable: frozenset[str]) -> dict:
        page, page_size = self._paging(request.query)
        rows = self._report_rows(request.query, reachable, synchronous=True)
        return _page(rows, page, page_size)

    def _report_rows(
        self, query: Mapping[str, str], reachable: frozenset[str], *, synchronous: bool
    ) -> list[dict]:
        """Every row of a BASIC report; a synchronous one over too many ads answers 40067."""
        spec = _ReportSpec.parse(query, self.settings.max_report_days)
        wanted = _report_filter(query)
        advertiser_id = self._advertiser_id(query, reachable)
        as_of = self._data_clock()
        groups: dict[tuple[str, date | None], list[tuple[Ad, AdDayStats]]] = {}
        reported_ads: set[str] = set()
        for ad in self.ads.ads_of(advertiser_id):
            if ad.create_time > as_of:
                continue
            if any(getattr(ad, key) not in ids for key, ids in wanted.items()):
                continue
            if spec.level == "AUCTION_AD" and self.ad_deleted(ad.ad_id):
                continue
            for day in local_days(spec.start, spec.end):
                stats = stats_as_of(ad, day, as_of)
                if stats is not None:
                    key = (_entity_id(ad, spec.level), day if spec.daily else None)
                    groups.setdefault(key, []).append((ad, stats))
                    reported_ads.add(ad.ad_id)
        if synchronous and len(reported_ads) > self.settings.max_report_entities:
            raise ApiError(
                200,
                CODE_QUERY_TOO_LARGE,
                f"The report covers {len(reported_ads)} ads, more than a synchronous report "
                f"returns ({self.settings.max_report_entities}): filter by up to "
                f"{REPORT_FILTER_MAX_IDS} campaign, ad group or ad ids, or use /report/task/",
            )
        return [
            spec.row(key, cells, self._attributes(cells[0][0]), self.settings.dash_unpaid_value)
            for key, cells in sorted(groups.items(), key=_group_order)
        ]

    # ---------------------------------------------------------------- GMV Max

    def _gmv_max_report(self, request: ApiRequest, reachable: frozenset[str]) -> dict:
        """GMV Max figures of one store, grouped by up to 3 dimensions, in the advertiser's
        currency and on its days; a store the advertiser does not sell for is a 40002."""
        query = request.query
        page, page_size = self._paging(query)
        advertiser_id = self._advertiser_id(query, reachable)
        store_ids = _json_list(query, "store_ids", required=True)
        if len(store_ids) != 1:
            raise ApiError(200, CODE_BAD_PARAMETER, "store_ids must name exactly one store")
        advertiser = self.ads.advertiser(advertiser_id)
        if advertiser is None or advertiser.shop_id != store_ids[0]:
            raise ApiError(
                200,
                CODE_BAD_PARAMETER,
                f"store {store_ids[0]} is not linked to advertiser {advertiser_id}",
            )
        dimensions = _json_list(query, "dimensions", required=True)
        unknown = [d for d in dimensions if d not in GMV_MAX_DIMENSIONS]
        if not 1 <= len(dimensions) <= GMV_MAX_MAX_DIMENSIONS or unknown:
            raise ApiError(
                200,
                CODE_BAD_PARAMETER,
                f"dimensions: 1-{GMV_MAX_MAX_DIMENSIONS} of {', '.join(GMV_MAX_DIMENSIONS)}",
            )
        metrics = _json_list(query, "metrics", required=True)
        if not metrics or any(m not in GMV_MAX_METRICS for m in metrics):
            raise ApiError(
                200, CODE_BAD_PARAMETER, f"metrics must be among {', '.join(GMV_MAX_METRICS)}"
            )
        start, end = _date_range(query, self.settings.max_report_days)
        as_of = self._data_clock()
        groups: dict[tuple[str, ...], list[GmvMaxDay]] = {}
        for campaign in self.ads.gmv_max_campaigns:
            if campaign.advertiser is not advertiser or campaign.store_id != store_ids[0]:
                continue
            for day in local_days(start, end):
                figures = gmv_max_as_of(campaign, day, as_of)
                if figures is None:
                    continue
                values = {
                    "advertiser_id": advertiser_id,
                    "campaign_id": campaign.campaign_id,
                    "stat_time_day": f"{day.isoformat()} 00:00:00",
                }
                groups.setdefault(tuple(values[d] for d in dimensions), []).append(figures)
        rows = [
            {"dimensions": dict(zip(dimensions, key)), "metrics": _gmv_max_figures(days, metrics)}
            for key, days in sorted(groups.items())
        ]
        return _page(rows, page, page_size)

    # ---------------------------------------------------------------- report tasks

    def _create_report_task(self, request: ApiRequest, reachable: frozenset[str]) -> dict:
        """The synchronous report's parameters in a JSON body; ~2 creations a second."""
        query = _body_as_query(request.body)
        token = request.headers.get("access-token", "")
        if not self._task_bucket.allow((token, "report_task")):
            raise ApiError(200, CODE_RATE_LIMITED, "Too many report tasks: about 2 a second")
        rows = self._report_rows(query, reachable, synchronous=False)
        dimensions = _json_list(query, "dimensions", required=True)
        metrics = _json_list(query, "metrics", required=True)
        task_id = self.tasks.create(query["advertiser_id"], token, dimensions, metrics, rows)
        return {"task_id": task_id}

    def _check_report_task(self, request: ApiRequest, reachable: frozenset[str]) -> dict:
        advertiser_id = self._advertiser_id(request.query, reachable)
        host = request.headers.get("host", "127.0.0.1")
        try:
            return self.tasks.check(
                advertiser_id,
                request.headers.get("access-token", ""),
                request.query.get("task_id", ""),
                f"http://{host}{REPORT_FILE_PATH}",
            )
        except TaskNotFound as err:
            raise ApiError(200, CODE_BAD_PARAMETER, f"task_id {err} does not exist") from None

    def _cancel_report_task(self, request: ApiRequest, reachable: frozenset[str]) -> dict:
        query = _body_as_query(request.body)
        advertiser_id = self._advertiser_id(query, reachable)
        token = request.headers.get("access-token", "")
        try:
            return self.tasks.cancel(advertiser_id, token, query.get("task_id", ""))
        except TaskNotFound as err:
            raise ApiError(200, CODE_BAD_PARAMETER, f"task_id {err} does not exist") from None

    def _report_file(self, request: ApiRequest) -> ApiResponse:
        """A finished task's CSV; signed URL, no token (like a storage link)."""
        body = self.tasks.file(request.query.get("task_id", ""), request.query.get("signature", ""))
        if request.method != "GET" or body is None:
            return ApiResponse(404, _NOT_FOUND, "text/plain", None)
        return ApiResponse(200, body, "text/csv", None)

    def _attributes(self, ad: Ad) -> dict[str, str]:
        """Text metrics for a row whose cells include `ad` (all of a row's ads share them)."""
        return {
            "currency": ad.advertiser.currency,
            "campaign_id": ad.campaign_id,
            "campaign_name": self._names[ad.campaign_id],
            "adgroup_id": ad.adgroup_id,
            "adgroup_name": self._names[ad.adgroup_id],
            "ad_name": ad.name,
        }


def _fault_code(kind: float) -> int:
    """Which system error a drawn fault answers (`kind` uniform in [0, 1))."""
    if kind < 0.4:
        return CODE_SYSTEM_ERROR
    return CODE_SYSTEM_BUSY if kind < 0.8 else CODE_MAINTENANCE


_FAULT_MESSAGES = {
    CODE_SYSTEM_ERROR: "System error, please retry later (sandbox fault)",
    CODE_SYSTEM_BUSY: "System busy, please retry later (sandbox fault)",
    CODE_MAINTENANCE: "Service under maintenance (sandbox fault)",
}


@dataclass(frozen=True)
class _ReportSpec:
    """A validated BASIC report request: level, grouping, metrics and the local-day range."""

    level: str
    daily: bool
    metrics: tuple[str, ...]
    start: date
    end: date

    @classmethod
    def parse(cls, query: Mapping[str, str], max_days: int) -> _ReportSpec:
        if query.get("report_type", "") != "BASIC":
            raise ApiError(200, CODE_BAD_PARAMETER, "report_type must be BASIC in the sandbox")
        level = query.get("data_level", "")
        if level not in LEVEL_ID_DIMENSION:
            raise ApiError(
                200,
                CODE_BAD_PARAMETER,
                f"data_level must be one of {', '.join(LEVEL_ID_DIMENSION)}",
            )
        daily = _daily_dimensions(query, level)
        start, end = _date_range(query, max_days)
        return cls(level, daily, _report_metrics(query, level), start, end)

    def row(
        self,
        key: tuple[str, date | None],
        cells: list[tuple[Ad, AdDayStats]],
        attributes: Mapping[str, str],
        dash_unpaid_value: bool = False,
    ) -> dict:
        """One report row; `attributes` are the text metrics of the row's entity."""
        entity_id, day = key
        dimensions = {LEVEL_ID_DIMENSION[self.level]: entity_id}
        if day is not None:
            dimensions[DAY_DIMENSION] = f"{day.isoformat()} 00:00:00"
        reach_key = f"{self.level}:{entity_id}:{day or f'{self.start}/{self.end}'}"
        figures = _figures([stats for _, stats in cells], reach_key, dash_unpaid_value)
        metrics = {m: figures[m] if m in figures else attributes[m] for m in self.metrics}
        return {"dimensions": dimensions, "metrics": metrics}


def _daily_dimensions(query: Mapping[str, str], level: str) -> bool:
    """Whether rows are per day: the level's id, optionally with `stat_time_day`, nothing else."""
    id_dimension = LEVEL_ID_DIMENSION[level]
    dimensions = _json_list(query, "dimensions", required=True)
    allowed = ([id_dimension], [id_dimension, DAY_DIMENSION], [DAY_DIMENSION, id_dimension])
    if dimensions not in allowed:
        raise ApiError(
            200,
            CODE_BAD_PARAMETER,
            f"dimensions at {level} must be [{id_dimension!r}] or "
            f"[{id_dimension!r}, {DAY_DIMENSION!r}]",
        )
    return DAY_DIMENSION in dimensions


def _report_metrics(query: Mapping[str, str], level: str) -> tuple[str, ...]:
    """Numeric metrics anywhere; attributes (names, ids) only at or below their level."""
    metrics = _json_list(query, "metrics", required=True)
    if not metrics:
        raise ApiError(200, CODE_BAD_PARAMETER, "metrics must name at least one metric")
    valid = NUMERIC_METRICS | set(LEVEL_ATTRIBUTES[level])
    invalid = [m for m in metrics if m not in valid]
    if invalid:
        raise ApiError(
            200, CODE_BAD_PARAMETER, f"metrics not valid at {level}: {', '.join(invalid)}"
        )
    return tuple(metrics)


def _date_range(query: Mapping[str, str], max_days: int) -> tuple[date, date]:
    """Inclusive advertiser-local days, at most `max_days` of them."""
    start, end = _date_param(query, "start_date"), _date_param(query, "end_date")
    days = (end - start).days + 1
    if not 1 <= days <= max_days:
        raise ApiError(
            200,
            CODE_BAD_PARAMETER,
            f"start_date..end_date must span 1-{max_days} days, got {days}",
        )
    return start, end


def _figures(
    stats: list[AdDayStats], reach_key: str, dash_unpaid_value: bool = False
) -> dict[str, str]:
    """Every numeric metric as the API writes it: sums, then ratios recomputed from sums.
    `dash_unpaid_value`: a row with no completed payment has "-" (no value) as its shopping
    value, as the API writes empty values, instead of 0.00."""
    sums: dict[str, Any] = {}
    for name in SUMMED_METRICS + ("video_play_seconds",):
        values = [getattr(s, name) for s in stats if getattr(s, name) is not None]
        sums[name] = sum(values) if values else None
    spend, impressions, clicks = sums["spend"], sums["impressions"], sums["clicks"]
    conversion, paid = sums["conversion"], sums["complete_payment"]
    value, plays = sums["total_onsite_shopping_value"], sums["video_play_actions"]
    out = {name: _text(sums[name], name in _MONEY) for name in SUMMED_METRICS}
    roas = _ratio(value, spend)
    out.update(
        reach=str(combined_reach((s.reach for s in stats), reach_key)),
        ctr=_ratio(clicks, impressions, 100),
        cpc=_ratio(spend, clicks),
        cpm=_ratio(spend, impressions, 1000),
        cost_per_conversion=_ratio(spend, conversion),
        conversion_rate=_ratio(conversion, clicks, 100),
        total_complete_payment_rate=_ratio(paid, clicks, 100),
        complete_payment_roas=roas,
        onsite_shopping=str(paid),
        onsite_shopping_roas=roas,
        average_video_play="-" if plays is None else _ratio(sums["video_play_seconds"], plays),
    )
    if dash_unpaid_value and not paid:
        out["total_onsite_shopping_value"] = "-"
    return out


def _gmv_max_figures(days: list[GmvMaxDay], metrics: list[str]) -> dict[str, str]:
    total = GmvMaxDay(
        sum((d.cost for d in days), Decimal("0.00")),
        sum(d.orders for d in days),
        sum((d.gross_revenue for d in days), Decimal("0.00")),
    )
    figures = {
        "cost": f"{total.cost:.2f}",
        "orders": str(total.orders),
        "gross_revenue": f"{total.gross_revenue:.2f}",
        "roi": str(total.roi),
    }
    return {m: figures[m] for m in metrics}


def _text(value: Any, money: bool) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if money else str(value)


def _ratio(numerator: Any, denominator: Any, scale: int = 1) -> str:
    """Two decimals; a zero denominator gives "0.00" (sandbox choice), never a float."""
    if not denominator:
        return "0.00"
    ratio = Decimal(numerator) * scale / Decimal(denominator)
    return str(ratio.quantize(_CENT, rounding=ROUND_HALF_UP))


def _entity_id(ad: Ad, level: str) -> str:
    return {
        "AUCTION_ADVERTISER": ad.advertiser.advertiser_id,
        "AUCTION_CAMPAIGN": ad.campaign_id,
        "AUCTION_ADGROUP": ad.adgroup_id,
        "AUCTION_AD": ad.ad_id,
    }[level]


def _group_order(item: tuple[tuple[str, date | None], Any]) -> tuple[str, date]:
    entity_id, day = item[0]
    return entity_id, day or date.min


def _row_id(row: dict) -> str:
    return row.get("ad_id") or row.get("adgroup_id") or row["campaign_id"]


def _page(rows: list[dict], page: int, page_size: int) -> dict:
    total = len(rows)
    start = (page - 1) * page_size
    return {
        "list": rows[start : start + page_size],
        "page_info": {
            "page": page,
            "page_size": page_size,
            "total_number": total,
            "total_page": math.ceil(total / page_size),
        },
    }


# ------------------------------------------------------------------ query parameters


def _report_filter(query: Mapping[str, str]) -> dict[str, set[str]]:
    """Ad attribute -> wanted ids, from `filtering` as the official SDK writes it for reports."""
    value = _json_value(query, "filtering")
    if value is None:
        return {}
    if not isinstance(value, list):
        raise ApiError(200, CODE_BAD_PARAMETER, "filtering must be a JSON list of filters")
    wanted: dict[str, set[str]] = {}
    for entry in value:
        name = entry.get("field_name") if isinstance(entry, dict) else None
        if name not in REPORT_ID_FILTERS or entry.get("filter_type") != "IN":
            raise ApiError(
                200,
                CODE_BAD_PARAMETER,
                f"filtering supports field_name {', '.join(REPORT_ID_FILTERS)} with filter_type "
                "IN in the sandbox",
            )
        raw = entry.get("filter_value")
        try:
            ids = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            ids = None
        if (
            not isinstance(ids, list)
            or not 1 <= len(ids) <= REPORT_FILTER_MAX_IDS
            or not all(isinstance(i, str) for i in ids)
        ):
            raise ApiError(
                200,
                CODE_BAD_PARAMETER,
                f"filtering {name}: filter_value must list 1-{REPORT_FILTER_MAX_IDS} id strings",
            )
        wanted[REPORT_ID_FILTERS[name]] = set(ids)
    return wanted


def _body_as_query(body: bytes) -> dict[str, str]:
    """A POST body's parameters in the shape GET query values have (lists as JSON text)."""
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        raise ApiError(200, CODE_BAD_PARAMETER, "the body must be a JSON object") from None
    if not isinstance(value, dict):
        raise ApiError(200, CODE_BAD_PARAMETER, "the body must be a JSON object")
    return {
        key: item if isinstance(item, str) else json.dumps(item)
        for key, item in value.items()
        if item is not None
    }


def _json_value(query: Mapping[str, str], name: str) -> Any:
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiError(200, CODE_BAD_PARAMETER, f"{name} must be JSON-encoded") from None


def _json_list(query: Mapping[str, str], name: str, *, required: bool) -> list[str]:
    value = _json_value(query, name)
    if value is None and not required:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApiError(200, CODE_BAD_PARAMETER, f"{name} must be a JSON list of strings")
    return value


def _json_object(query: Mapping[str, str], name: str) -> dict:
    value = _json_value(query, name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ApiError(200, CODE_BAD_PARAMETER, f"{name} must be a JSON object")
    return value


def _int_param(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ApiError(200, CODE_BAD_PARAMETER, f"{name} must be an integer from {low} to {high}")
    return int(raw)


def _date_param(query: Mapping[str, str], name: str) -> date:
    raw = query.get(name, "")
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(200, CODE_BAD_PARAMETER, f"{name} must be YYYY-MM-DD") from None


def _envelope(code: int, message: str, request_id: str, data: dict) -> ApiResponse:
    body = {"code": code, "message": message, "request_id": request_id, "data": data}
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return ApiResponse(200, payload, "application/json", code)
