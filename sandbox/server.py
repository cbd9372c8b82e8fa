"""Threaded HTTP server around `TikTokShopApi`, for tests (`running_sandbox`) and the CLI (`serve`).

Paths under `/stats/eurofxref/` go to `EcbFxApi` instead (the ECB rates, no auth), paths
under `/open_api/` to `TikTokAdsApi` (the TikTok Marketing API over the same shops), and
paths under `/lingxing/` to `LingxingApi` (the 领星 ERP open API over the same orders).

Only byte plumbing lives here: parse the request line, headers and raw body, hand them to the
API, sleep if a slow response was drawn, write the answer. The data clock lives here too: it
follows the wall clock unless the settings or a test pin it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from connectors.sandbox_defaults import SANDBOX_HOST
from connectors.tiktok_shop_token import redact_secret_query_values
from sandbox.ads_generator import HISTORY_LEAD_DAYS as ADS_HISTORY_LEAD_DAYS
from sandbox.ads_generator import AdsDataset, build_ads_dataset
from sandbox.content import ContentWorld
from sandbox.ecb_fx import PATH_PREFIX as FX_PATH_PREFIX
from sandbox.ecb_fx import EcbFxApi, ecb_rates
from sandbox.finance import Finance, build_finance
from sandbox.generator import HISTORY_DAYS, Dataset, DatasetConfig, generate_dataset
from sandbox.lingxing_api import PATH_PREFIX as LINGXING_PATH_PREFIX
from sandbox.lingxing_api import LingxingApi, LingxingApiSettings
from sandbox.reserved_orders import RESERVED_ORDER_RATE
from sandbox.tiktok_ads_api import PATH_PREFIX as ADS_PATH_PREFIX
from sandbox.tiktok_ads_api import AdsApiSettings, TikTokAdsApi
from sandbox.tiktok_shop_api import ApiRequest, ApiSettings, TikTokShopApi
from sandbox.tiktok_shop_auth import PATH_PREFIX as TOKEN_PATH_PREFIX
from sandbox.tiktok_shop_auth import TokenAuthority
from sandbox.tiktok_shop_content_api import register_content_routes
from sandbox.tiktok_shop_finance_api import register_finance_routes
from sandbox.tiktok_shop_service_api import register_service_routes

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SandboxSettings:
    """Everything a sandbox run needs; dates are UTC days, `as_of` pins the data clock."""

    port: int = 0
    seed: int = 7
    start_date: date | None = None
    end_date: date | None = None
    as_of: datetime | int | None = None
    orders_per_shop_day: int = 40
    # UTC days before `start_date` with orders (at a fifth of the volume) whose later lives
    # land in the window: deliveries, completions, cancellations and refunds of orders placed
    # before a client's first loaded day (sandbox/generator.py `_history_orders`).
    history_days: int = HISTORY_DAYS
    rate_limit_per_second: float = 50.0
    rate_limit_burst: int = 50
    timestamp_window_seconds: int = 300
    # Transport faults, on the TikTok Shop, TikTok Ads and Lingxing emulators alike
    # (sandbox/faults.py): a share of answers a server fault, held back `slow_seconds`, or
    # cut short with the connection dropped.
    fault_rate: float = 0.0
    slow_rate: float = 0.0
    slow_seconds: float = 5.0
    truncate_rate: float = 0.0
    # Paging faults (sandbox/tiktok_shop_api.py `ApiSettings`): pages without their list, and
    # a share of TikTok Shop page tokens that change while the records repeat (1.0: every
    # page). The list knobs reach the ads and Lingxing emulators too; `ads_repeat_pages` makes
    # every ads page serve the first one's rows.
    list_fault_rate: float = 0.0
    list_fault: str = "missing"
    churn_page_token_rate: float = 0.0
    ads_repeat_pages: bool = False
    # Records that break a warehouse rule but that the APIs legitimately send (issue #14):
    # a share of orders in a status nobody mapped yet (tiktok_shop_api.UNKNOWN_ORDER_STATUS),
    # "-" as the ads shopping value of rows without a payment, and an ad account that sells
    # for no shop (its ad groups have no store_id).
    unknown_status_rate: float = 0.0
    # On by default: a share of orders served twice while paging, once in the version before
    # its latest change (sandbox/reserved_orders.py); 0 serves every order once.
    reserved_order_rate: float = RESERVED_ORDER_RATE
    ads_dash_unpaid_value: bool = False
    ads_brand_account: bool = False
    # A share of ads deleted: missing from ad-level reports, counted in the account's totals.
    ads_deleted_ad_rate: float = 0.0
    # The configured TikTok Shop access token answers 105002 until the client renews it.
    expire_access_token: bool = False
    shop_count: int | None = None
    host: str = SANDBOX_HOST
    # The ads API's own quota (reference: ~10/s on the basic tier); the transport and list
    # fault knobs above are shared.
    ads_rate_limit_per_second: float = 10.0
    ads_rate_limit_burst: int = 20
    # A synchronous ads report over more ads than this answers 40067 (reference: ~10,000).
    ads_max_report_entities: int = 10_000
    ads_report_task_checks_to_finish: int = 3
    ads_report_task_failure_rate: float = 0.0

    def dataset_config(self) -> DatasetConfig:
        end = self.end_date or self._clock_day()
        start = self.start_date or end - timedelta(days=29)
        return DatasetConfig(
            self.seed, start, end, self.orders_per_shop_day, self.shop_count, self.history_days
        )

    def _clock_day(self) -> date:
        """The data clock's UTC day: the pinned `as_of`, else the wall clock's today."""
        if self.as_of is None:
            return datetime.now(UTC).date()
        return datetime.fromtimestamp(to_unix_seconds(self.as_of), UTC).date()

    def api_settings(self) -> ApiSettings:
        """The gateway knobs, taken from the fields both settings classes share."""
        shared = {f.name for f in fields(ApiSettings)} & {f.name for f in fields(self)}
        return ApiSettings(**{name: getattr(self, name) for name in shared})

    def ads_api_settings(self) -> AdsApiSettings:
        return AdsApiSettings(
            seed=self.seed,
            rate_limit_per_second=self.ads_rate_limit_per_second,
            rate_limit_burst=self.ads_rate_limit_burst,
            max_report_entities=self.ads_max_report_entities,
            report_task_checks_to_finish=self.ads_report_task_checks_to_finish,
            report_task_failure_rate=self.ads_report_task_failure_rate,
            fault_rate=self.fault_rate,
            slow_rate=self.slow_rate,
            slow_seconds=self.slow_seconds,
            truncate_rate=self.truncate_rate,
            list_fault_rate=self.list_fault_rate,
            list_fault=self.list_fault,
            repeat_pages=self.ads_repeat_pages,
            dash_unpaid_value=self.ads_dash_unpaid_value,
            deleted_ad_rate=self.ads_deleted_ad_rate,
        )


def to_unix_seconds(value: datetime | int) -> int:
    """Naive datetimes are taken as UTC, like every time in the sandbox."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return int(aware.timestamp())
    return int(value)


class DataClock:
    """The moment the data is shown at: pinned, or following the wall clock when None."""

    def __init__(self, as_of: datetime | int | None = None) -> None:
        self._lock = threading.Lock()
        self._pinned = None if as_of is None else to_unix_seconds(as_of)

    def now(self) -> int:
        with self._lock:
            return int(time.time()) if self._pinned is None else self._pinned

    def set(self, as_of: datetime | int | None) -> None:
        with self._lock:
            self._pinned = None if as_of is None else to_unix_seconds(as_of)


class _Handler(BaseHTTPRequestHandler):
    """Hands every method to the API its path belongs to; the server object carries both."""

    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes; without this, Nagle holds the body back until the
    # client's delayed ACK (~40 ms a request).
    disable_nagle_algorithm = True
    timeout = 60  # idle keep-alive connections do not hold a thread forever
    server: _SandboxHTTPServer

    def _handle(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        request = ApiRequest(
            method=self.command,
            path=split.path,
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        api = self.server.api_for(split.path)
        response = api.handle(request)
        if response.delay_seconds > 0:
            time.sleep(response.delay_seconds)
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", _content_type_header(response.content_type))
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            truncate_at = getattr(response, "truncate_at", None)
            if truncate_at is not None:
                # Promise the whole body, send part of it, hang up: a connection cut mid-answer.
                self.wfile.write(response.body[:truncate_at])
                self.close_connection = True
                return
            self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            logger.debug("client went away before the answer to %s", split.path)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    def log_message(self, format: str, *args: object) -> None:
        line = redact_secret_query_values(format % args)  # the token refresh's query
        logger.debug("%s %s", self.address_string(), line)


def _content_type_header(content_type: str) -> str:
    """Text answers declare UTF-8; binary ones (the FX zip) carry no charset."""
    if content_type.startswith(("text/", "application/json")):
        return f"{content_type}; charset=utf-8"
    return content_type


class _SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        api: TikTokShopApi,
        fx_api: EcbFxApi,
        ads_api: TikTokAdsApi | None = None,
        lingxing_api: LingxingApi | None = None,
    ) -> None:
        self.api = api
        self.fx_api = fx_api
        self.ads_api = ads_api
        self.lingxing_api = lingxing_api
        self.token_authority = TokenAuthority(api, time.time)
        super().__init__(address, _Handler)

    def api_for(
        self, path: str
    ) -> TikTokShopApi | EcbFxApi | TikTokAdsApi | TokenAuthority | LingxingApi:
        if path.startswith(FX_PATH_PREFIX):
            return self.fx_api
        if path.startswith(TOKEN_PATH_PREFIX):
            return self.token_authority
        if self.lingxing_api is not None and path.startswith(LINGXING_PATH_PREFIX + "/"):
            return self.lingxing_api
        if self.ads_api is not None and path.startswith(ADS_PATH_PREFIX):
            return self.ads_api
        return self.api


class Sandbox:
    """A running sandbox: where it listens, what it serves and the knobs tests turn."""

    def __init__(self, settings: SandboxSettings, dataset: Dataset | None = None) -> None:
        self.settings = settings
        self.dataset = dataset or generate_dataset(settings.dataset_config())
        self._clock = DataClock(settings.as_of)
        self.api = TikTokShopApi(self.dataset, settings.api_settings(), self._clock.now)
        self.content = ContentWorld(self.dataset)  # videos, LIVEs, creators, analytics
        register_content_routes(self.api, self.content)
        # Settlement of the same orders (creators' commissions out of their fees), served by
        # the shop API's gateway.
        self.finance: Finance = build_finance(
            self.dataset, self.api.after_sales, self.content.affiliate_commissions()
        )
        register_finance_routes(self.api, self.finance, self.dataset)
        self.service = register_service_routes(self.api)  # CS conversations, reviews
        # ECB rates for the dataset's window, served beside the shop API (no auth).
        self.fx_rates = ecb_rates(self.dataset.config or settings.dataset_config())
        self.fx_api = EcbFxApi(self.fx_rates, self._clock.now)
        # The TikTok Marketing API: one advertiser per shop, on the same data clock.
        self.ads_dataset: AdsDataset = build_ads_dataset(
            self.dataset,
            seed=settings.seed,
            history_start=self._ads_history_start(),
            brand_account=settings.ads_brand_account,
        )
        self.ads_api = TikTokAdsApi(self.ads_dataset, settings.ads_api_settings(), self._clock.now)
        # The 领星 Lingxing ERP open API under /lingxing, on the same orders and data clock.
        self.lingxing_api = LingxingApi(
            self.dataset,
            LingxingApiSettings(
                seed=settings.seed,
                fault_rate=settings.fault_rate,
                truncate_rate=settings.truncate_rate,
                slow_rate=settings.slow_rate,
                slow_seconds=settings.slow_seconds,
                list_fault_rate=settings.list_fault_rate,
                list_fault=settings.list_fault,
            ),
            self._clock.now,
        )
        self._server = _SandboxHTTPServer(
            (settings.host, settings.port), self.api, self.fx_api, self.ads_api, self.lingxing_api
        )
        self._thread: threading.Thread | None = None

    def _ads_history_start(self) -> date:
        config = self.dataset.config or self.settings.dataset_config()
        return config.start_date - timedelta(days=ADS_HISTORY_LEAD_DAYS)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def request_log(self) -> list[tuple[str, str, int, int | None]]:
        """Snapshot of (method, path, http_status, api_code) per request, oldest first."""
        return self.api.request_log

    @property
    def token_authority(self) -> TokenAuthority:
        """The TikTok Shop token refresh endpoint (what it has issued, for tests)."""
        return self._server.token_authority

    @property
    def ads_request_log(self) -> list[tuple[str, str, int, int | None]]:
        """The same, for the ads API (`/open_api/...`)."""
        return self.ads_api.request_log

    def as_of(self) -> int:
        return self._clock.now()

    def set_as_of(self, as_of: datetime | int | None) -> None:
        """Move the data clock (None: follow the wall clock again)."""
        self._clock.set(as_of)

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="tiktok-shop-sandbox",
            daemon=True,
        )
        self._thread.start()

    def serve_forever(self) -> None:
        """Block in the calling thread until interrupted; the socket is closed on the way out."""
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


@contextmanager
def running_sandbox(settings: SandboxSettings | None = None) -> Iterator[Sandbox]:
    """Serve in a background thread for the duration of the block (port=0 picks a free port)."""
    sandbox = Sandbox(settings or SandboxSettings(port=0))
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


def serve(settings: SandboxSettings) -> None:
    """Serve until interrupted; used by `python -m sandbox` and `linkstar sandbox`."""
    if not logging.getLogger().handlers:  # called from a bare CLI: make the URL visible
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    sandbox = Sandbox(settings)
    cfg = sandbox.dataset.config
    assert cfg is not None
    logger.info(
        "TikTok Shop sandbox on %s: %d shops, %d orders, UTC days %s..%s, seed %d",
        sandbox.base_url,
        len(sandbox.dataset.shops),
        len(sandbox.dataset.orders),
        cfg.start_date,
        cfg.end_date,
        cfg.seed,
    )
    try:
        sandbox.serve_forever()
    except KeyboardInterrupt:
        logger.info("sandbox stopped")
