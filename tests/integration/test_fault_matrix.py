"""The fault matrix: malformed input of every kind, each refused with a message that names
where it came from, and nothing of it kept (issue 16). Cheap cases only, run every time.

Three families (a parametrized test each; API answers have two more, named below):
- API answers: the real TikTok Shop, TikTok Ads, Lingxing ERP and ECB clients over real HTTP
  on 127.0.0.1, against `tests/canned_http.py` serving exactly the crafted answer (a body cut
  short, HTML with 200, a top-level array, 503/429 on every attempt, envelope error codes,
  pages without their list or repeating their records); and against the sandbox where one
  of its fault knobs already produces the case (every answer a 5xx, every body cut short with
  the connection dropped: `test_an_api_failing_on_every_attempt_through_a_sandbox_knob...`).
  Each must raise the client's typed error naming the endpoint (and page, request id,
  advertiser or URL where the answer carries one), after exactly the attempts its kind
  deserves; the walk returns nothing, so no landing asset can write a smaller file. Five of the cases also run through the real TikTok Shop orders asset
  (`test_a_refused_answer_fails_the_landing...`: seven in-process Dagster runs, one home, the
  one part of this file that is not instant): it fails naming the page and the partition's
  previous raw file stays byte for byte (the other clients' assets:
  tests/integration/test_refused_pages_keep_raw_files.py).
- KPI configuration: copies of kpi_config/ with one edit, checked by `linkstar kpi-config
  check` itself: exit 1, "nothing would be loaded", and a problem naming file:line and the
  key path.
- ERP export files: the sandbox's broken exports plus hand-made ones, each rejected whole by
  the reader with a problem naming the file, row and column.

The expensive families of the issue (a crash at each step then a rerun, a 10% mix of faults,
reruns and concurrent runs) are covered elsewhere; docs/reliability.md ("Fault matrix") says
where, and what no test covers.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from connectors.ecb_fx import EcbFxClient, EcbFxError, EcbFxSettings
from connectors.erp_api.client import (
    ErpApiAuthError,
    ErpApiCallError,
    ErpApiClient,
    ErpApiError,
    ErpApiPagingError,
    ErpApiSettings,
    ErpApiUnreachableError,
)
from connectors.erp_files import ErpFileRejected, load_mappings, read_erp_file
from connectors.rate_limit import RateLimiter
from connectors.retry import RetryPolicy
from connectors.sandbox_defaults import LINGXING_SANDBOX_PATH
from connectors.tiktok_ads import (
    TikTokAdsApiError,
    TikTokAdsClient,
    TikTokAdsResponseError,
    TikTokAdsSettings,
    TikTokAdsUnreachableError,
)
from connectors.tiktok_shop import (
    TikTokShopApiError,
    TikTokShopClient,
    TikTokShopError,
    TikTokShopResponseError,
    TikTokShopSettings,
)
from sandbox.erp_exports import BROKEN_CASES, BrokenErpFile, write_broken_erp_files
from sandbox.generator import DatasetConfig, generate_dataset
from tests.canned_http import Answer, canned_api, cut_in_transit, envelope, json_answer
from tests.conftest import sandbox_running
from tests.unit.pipeline.kpi_config_helpers import EXAMPLE_DIR, line_of

ATTEMPTS = 3
FAST = RetryPolicy(max_attempts=ATTEMPTS, base_delay=0.001, max_delay=0.005)
UNPACED = RateLimiter(0)

# ------------------------------------------------------------------------- API answers

SHOP_SEARCH = "/order/202309/orders/search"
ADS_CAMPAIGNS = "/open_api/v1.3/campaign/get/"
ERP_TOKEN = "/api/auth-server/oauth/access-token"
ERP_ORDERS = "/pb/mp/order/v2/list"
ECB_DAILY = "/eurofxref-daily.xml"
ECB_HISTORY = "/eurofxref-hist.zip"
PAGE_SIZE = 2
ADVERTISER = "7000000000000000001"
DAY_START = int(datetime(2026, 11, 18, tzinfo=UTC).timestamp())


def shop_orders(base_url: str) -> list:
    settings = TikTokShopSettings(base_url, "app-key", "app-secret", "access-token")
    client = TikTokShopClient(settings, retry=FAST, limiter_for=lambda _: UNPACED)
    pages = client.search_orders(
        "shop-cipher",
        page_size=PAGE_SIZE,
        update_time_ge=DAY_START,
        update_time_lt=DAY_START + 86400,
    )
    return list(pages)


def ads_campaigns(base_url: str) -> list:
    settings = TikTokAdsSettings(
        base_url, "access-token", advertiser_ids=(ADVERTISER,), page_size=PAGE_SIZE
    )
    client = TikTokAdsClient(
        settings, retry=FAST, rate_limit_backoff=0, limiter=UNPACED, task_limiter=UNPACED
    )
    return list(client.iter_campaigns(ADVERTISER))


def erp_orders(base_url: str) -> list:
    settings = ErpApiSettings(
        base_url, "ak_fault_matrix1", "app-secret", max_requests_per_minute=0, page_size=PAGE_SIZE
    )
    client = ErpApiClient(settings, retry=FAST, limiter_for=lambda _: UNPACED)
    return list(client.order_pages(DAY_START, DAY_START + 86399))


def ecb_daily(base_url: str) -> list:
    client = EcbFxClient(EcbFxSettings(f"{base_url}/stats/eurofxref", 0), retry=FAST)
    return [client.fetch_daily_xml()]


def ecb_history(base_url: str) -> list:
    client = EcbFxClient(EcbFxSettings(f"{base_url}/stats/eurofxref", 0), retry=FAST)
    return [client.fetch_history_csv()]


def _orders(*ids: str) -> list[dict]:
    """Orders with the fields the landing checks, updated on the day the walks ask for."""
    return [
        {"id": order_id, "status": "AWAITING_SHIPMENT", "create_time": DAY_START,
         "update_time": DAY_START + int(order_id)}
        for order_id in ids
    ]  # fmt: skip


def _campaigns(*ids: str) -> list[dict]:
    return [{"campaign_id": campaign_id, "advertiser_id": ADVERTISER} for campaign_id in ids]


def _shop_page(orders, *, token: str = "", total: int | None = 4, request_id: str) -> Answer:
    data = {"orders": orders, "next_page_token": token}
    if total is not None:
        data["total_count"] = total
    return envelope(data, request_id=request_id)


def _ads_page(rows, *, page: int = 1, total_page: int = 2, request_id: str) -> Answer:
    info = {"page": page, "page_size": PAGE_SIZE, "total_number": 4, "total_page": total_page}
    return envelope({"list": rows, "page_info": info}, request_id=request_id)


ERP_TOKEN_ANSWER = json_answer(
    {"code": "200", "msg": "OK", "data": {"access_token": "erp-token", "expires_in": 7200}}
)


def _erp(data, *, code: int = 0, request_id: str, status: int = 200) -> Answer:
    return json_answer(
        {
            "code": code,
            "message": "OK" if code == 0 else "refused",
            "request_id": request_id,
            "data": data,
        },
        status,
    )


ERP_FIRST_OF_TWO_PAGES = _erp(
    {"total": 4, "list": [{"global_order_no": "1"}, {"global_order_no": "2"}]}, request_id="e-1"
)


def _history_zip(csv_text: str) -> Answer:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("eurofxref-hist.csv", csv_text)
    return Answer(200, buffer.getvalue(), "application/zip")


ECB_XML_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<gesmes:Envelope '
    'xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
    'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">\n'
    "<Cube>\n<Cube time='2026-11-18'>\n"
)
ECB_XML_TAIL = "</Cube>\n</Cube>\n</gesmes:Envelope>\n"
HTML_PAGE = Answer(200, b"<html><body><h1>Welcome to nginx!</h1></body></html>", "text/html")
TRUNCATED_SHOP_PAGE = Answer(
    200, b'{"code":0,"message":"OK","request_id":"r","data":{"orders":[{"id"'
)
NOT_UTF8 = Answer(200, '{"code":0,"message":"Café"}'.encode("latin-1"))
EMPTY = Answer(200, b"")


@dataclass(frozen=True)
class ApiCase:
    """Answers per path ending, the client call, the error it must raise, what its message
    must name, and how many requests `path` must have received (retried or not)."""

    answers: dict[str, tuple[Answer, ...]]
    call: Callable[[str], list]
    error: type[Exception]
    names: tuple[str, ...]
    path: str
    requests: int


API_CASES = {
    # -- TikTok Shop ---------------------------------------------------------------------
    "shop_truncated_json_on_page_2": ApiCase(
        {
            SHOP_SEARCH: (
                _shop_page(_orders("1", "2"), token="t2", request_id="s-1"),
                TRUNCATED_SHOP_PAGE,
            )
        },
        shop_orders,
        TikTokShopResponseError,
        (f"POST {SHOP_SEARCH} page 2 (page_token 't2')", "HTTP 200", "not JSON"),
        SHOP_SEARCH,
        1 + ATTEMPTS,
    ),
    "shop_html_with_200": ApiCase(
        {SHOP_SEARCH: (HTML_PAGE,)},
        shop_orders,
        TikTokShopResponseError,
        (
            f"POST {SHOP_SEARCH} page 1 (page_token 'none')",
            "HTTP 200",
            "not JSON",
            "Welcome to nginx",
        ),
        SHOP_SEARCH,
        ATTEMPTS,
    ),
    "shop_empty_200": ApiCase(
        {SHOP_SEARCH: (EMPTY,)},
        shop_orders,
        TikTokShopResponseError,
        (f"POST {SHOP_SEARCH} page 1", "HTTP 200", "an empty body"),
        SHOP_SEARCH,
        ATTEMPTS,
    ),
    "shop_not_utf8": ApiCase(
        {SHOP_SEARCH: (NOT_UTF8,)},
        shop_orders,
        TikTokShopResponseError,
        (f"POST {SHOP_SEARCH} page 1", "not UTF-8"),
        SHOP_SEARCH,
        1,
    ),
    "shop_top_level_array": ApiCase(
        {SHOP_SEARCH: (json_answer([{"code": 0, "data": {"orders": []}}]),)},
        shop_orders,
        TikTokShopResponseError,
        (f"POST {SHOP_SEARCH}", "a JSON list instead of an object"),
        SHOP_SEARCH,
        1,
    ),
    "shop_503_every_attempt": ApiCase(
        {SHOP_SEARCH: (Answer(503, b"Service Unavailable", "text/plain"),)},
        shop_orders,
        TikTokShopResponseError,
        (f"POST {SHOP_SEARCH}", "HTTP 503", "Service Unavailable"),
        SHOP_SEARCH,
        ATTEMPTS,
    ),
    "shop_429_every_attempt": ApiCase(
        {SHOP_SEARCH: (envelope(code=36009002, request_id="shop-429", status=429),)},
        shop_orders,
        TikTokShopApiError,
        (f"POST {SHOP_SEARCH}", "code 36009002", "HTTP 429", "request_id shop-429", "Throttled"),
        SHOP_SEARCH,
        ATTEMPTS,
    ),
    "shop_invalid_param": ApiCase(
        {SHOP_SEARCH: (envelope(code=36009003, request_id="shop-param"),)},
        shop_orders,
        TikTokShopApiError,
        (f"POST {SHOP_SEARCH}", "code 36009003", "request_id shop-param"),
        SHOP_SEARCH,
        1,
    ),
    "shop_expired_token_without_refresh_token": ApiCase(
        {SHOP_SEARCH: (envelope(code=105002, request_id="shop-expired"),)},
        shop_orders,
        TikTokShopApiError,
        (
            f"POST {SHOP_SEARCH}",
            "code 105002",
            "request_id shop-expired",
            "set TIKTOK_SHOP_REFRESH_TOKEN",
        ),
        SHOP_SEARCH,
        1,
    ),
    "shop_missing_scope": ApiCase(
        {SHOP_SEARCH: (envelope(code=105005, request_id="shop-scope"),)},
        shop_orders,
        TikTokShopApiError,
        (f"POST {SHOP_SEARCH}", "code 105005", "request_id shop-scope", "lacks the scope"),
        SHOP_SEARCH,
        1,
    ),
    "shop_data_missing": ApiCase(
        {SHOP_SEARCH: (envelope(request_id="shop-no-data"),)},
        shop_orders,
        TikTokShopResponseError,
        (f"POST {SHOP_SEARCH} page 1", "request_id shop-no-data", "`data`"),
        SHOP_SEARCH,
        ATTEMPTS,
    ),
    "shop_list_missing_while_a_total_is_owed": ApiCase(
        {SHOP_SEARCH: (envelope({"total_count": 175, "next_page_token": ""}, request_id="s-175"),)},
        shop_orders,
        TikTokShopResponseError,
        (f"POST {SHOP_SEARCH} page 1", "request_id s-175", "no `orders` list", "total is 175"),
        SHOP_SEARCH,
        ATTEMPTS,
    ),
    "shop_list_missing_while_a_next_page_is_owed": ApiCase(
        {
            SHOP_SEARCH: (
                _shop_page(_orders("1", "2"), token="t2", request_id="s-p1"),
                envelope({"next_page_token": "t3"}, request_id="s-p2"),
            )
        },
        shop_orders,
        TikTokShopResponseError,
        (
            f"POST {SHOP_SEARCH} page 2",
            "page_token 't2'",
            "request_id s-p2",
            "no `orders` list although the page points to a next page",
        ),
        SHOP_SEARCH,
        1 + ATTEMPTS,
    ),
    "shop_last_list_missing_in_a_walk_with_no_total": ApiCase(
        # The page before pointed here and nothing says the walk is complete (the
        # customer-service conversations report no total): an empty last page would end the
        # walk short, so it is refused like any page that owes its list.
        {
            SHOP_SEARCH: (
                _shop_page(_orders("1", "2"), token="t2", total=None, request_id="s-nt1"),
                envelope({"next_page_token": ""}, request_id="s-nt2"),
            )
        },
        shop_orders,
        TikTokShopResponseError,
        (
            f"POST {SHOP_SEARCH} page 2",
            "request_id s-nt2",
            "no `orders` list although the page before pointed to this one",
        ),
        SHOP_SEARCH,
        1 + ATTEMPTS,
    ),
    "shop_only_list_missing_in_a_walk_with_no_total": ApiCase(
        # A first page with no next one, no total and no list: a shop or conversation whose
        # records fit on one page, its list lost (seen under the mixed faults). Nothing says
        # the result is empty, so it is asked for again, then refused, never landed as none.
        {SHOP_SEARCH: (envelope({"next_page_token": ""}, request_id="s-nt0"),)},
        shop_orders,
        TikTokShopResponseError,
        (
            f"POST {SHOP_SEARCH} page 1",
            "request_id s-nt0",
            "no `orders` list although no total says the result is empty",
        ),
        SHOP_SEARCH,
        ATTEMPTS,
    ),
    "shop_list_as_object": ApiCase(
        {SHOP_SEARCH: (_shop_page({"1": {"id": "1"}}, request_id="s-obj"),)},
        shop_orders,
        TikTokShopResponseError,
        (f"POST {SHOP_SEARCH} page 1", "request_id s-obj", "`orders` is a JSON object, not a list"),
        SHOP_SEARCH,
        ATTEMPTS,
    ),
    "shop_records_not_objects": ApiCase(
        {SHOP_SEARCH: (_shop_page(["576000000000000001", 2], total=2, request_id="s-str"),)},
        shop_orders,
        TikTokShopResponseError,
        (f"POST {SHOP_SEARCH} page 1", "request_id s-str", "`orders`[0] is a JSON string"),
        SHOP_SEARCH,
        ATTEMPTS,
    ),
    # Page 1, page 2 repeating it under a new token, then page 1 asked again for another
    # token, which repeats again: refused after the attempts, naming the last page 2.
    "shop_page_token_changes_while_records_repeat": ApiCase(
        {
            SHOP_SEARCH: tuple(
                _shop_page(_orders("1", "2"), token=f"t{n + 1}", request_id=f"s-r{n}")
                for n in range(1, 2 * ATTEMPTS + 1)
            )
        },
        shop_orders,
        TikTokShopResponseError,
        (
            f"POST {SHOP_SEARCH} page 2",
            f"page_token 't{2 * ATTEMPTS}'",
            f"request_id s-r{2 * ATTEMPTS}",
            "no record not already seen",
            f"page 1 asked again {ATTEMPTS - 1} time(s)",
        ),
        SHOP_SEARCH,
        2 * ATTEMPTS,
    ),
    # -- TikTok Ads ----------------------------------------------------------------------
    "ads_truncated_json_on_page_2": ApiCase(
        {
            ADS_CAMPAIGNS: (
                _ads_page(_campaigns("1", "2"), request_id="ads-1"),
                Answer(200, b'{"code":0,"message":"OK","data":{"list":[{"cam'),
            )
        },
        ads_campaigns,
        TikTokAdsResponseError,
        (f"GET {ADS_CAMPAIGNS} (page 2, advertiser {ADVERTISER})", "HTTP 200", "not JSON"),
        ADS_CAMPAIGNS,
        1 + ATTEMPTS,
    ),
    "ads_connection_dropped_on_page_2": ApiCase(
        {
            ADS_CAMPAIGNS: (
                _ads_page(_campaigns("1", "2"), request_id="ads-1"),
                cut_in_transit(_ads_page(_campaigns("3", "4"), page=2, request_id="ads-2")),
            )
        },
        ads_campaigns,
        TikTokAdsUnreachableError,
        (
            f"GET {ADS_CAMPAIGNS} (page 2, advertiser {ADVERTISER})",
            "dropped the connection mid-answer",
            "did not arrive whole",
        ),
        ADS_CAMPAIGNS,
        1 + ATTEMPTS,
    ),
    "ads_html_404": ApiCase(
        {ADS_CAMPAIGNS: (Answer(404, b"<html>Not Found</html>", "text/html"),)},
        ads_campaigns,
        TikTokAdsResponseError,
        (
            f"GET {ADS_CAMPAIGNS} (page 1, advertiser {ADVERTISER})",
            "HTTP 404",
            "not JSON",
            "trailing slash",
        ),
        ADS_CAMPAIGNS,
        1,
    ),
    "ads_502_every_attempt": ApiCase(
        {ADS_CAMPAIGNS: (Answer(502, b"<html>502 Bad Gateway</html>", "text/html"),)},
        ads_campaigns,
        TikTokAdsResponseError,
        (f"GET {ADS_CAMPAIGNS}", "HTTP 502", "502 Bad Gateway"),
        ADS_CAMPAIGNS,
        ATTEMPTS,
    ),
    "ads_rate_limited_every_attempt": ApiCase(
        {ADS_CAMPAIGNS: (envelope(code=40100, request_id="ads-40100"),)},
        ads_campaigns,
        TikTokAdsApiError,
        (
            f"code 40100 (rate_limit) on {ADS_CAMPAIGNS}",
            "request_id ads-40100",
            ADVERTISER,
            "TIKTOK_ADS_MAX_REQUESTS_PER_SECOND",
        ),
        ADS_CAMPAIGNS,
        ATTEMPTS,
    ),
    "ads_invalid_param": ApiCase(
        {ADS_CAMPAIGNS: (envelope(code=40002, request_id="ads-40002"),)},
        ads_campaigns,
        TikTokAdsApiError,
        (
            f"code 40002 (parameter) on {ADS_CAMPAIGNS}",
            "request_id ads-40002",
            ADVERTISER,
            "A parameter was rejected",
        ),
        ADS_CAMPAIGNS,
        1,
    ),
    "ads_expired_token": ApiCase(
        {ADS_CAMPAIGNS: (envelope(code=40102, request_id="ads-40102"),)},
        ads_campaigns,
        TikTokAdsApiError,
        (
            f"code 40102 (token) on {ADS_CAMPAIGNS}",
            "request_id ads-40102",
            "update TIKTOK_ADS_ACCESS_TOKEN",
        ),
        ADS_CAMPAIGNS,
        1,
    ),
    "ads_data_missing": ApiCase(
        {ADS_CAMPAIGNS: (envelope(request_id="ads-no-data"),)},
        ads_campaigns,
        TikTokAdsResponseError,
        (
            f"GET {ADS_CAMPAIGNS} page 1",
            f"advertiser {ADVERTISER}",
            "request_id ads-no-data",
            "total_page",
        ),
        ADS_CAMPAIGNS,
        1,
    ),
    "ads_list_missing_while_rows_are_owed": ApiCase(
        {
            ADS_CAMPAIGNS: (
                envelope(
                    {"page_info": {"page": 1, "total_number": 9, "total_page": 5}},
                    request_id="ads-no-list",
                ),
            )
        },
        ads_campaigns,
        TikTokAdsResponseError,
        (f"GET {ADS_CAMPAIGNS} page 1", ADVERTISER, "request_id ads-no-list", "no `list` list"),
        ADS_CAMPAIGNS,
        ATTEMPTS,
    ),
    "ads_list_as_object": ApiCase(
        {ADS_CAMPAIGNS: (_ads_page({"campaign_id": "1"}, request_id="ads-obj"),)},
        ads_campaigns,
        TikTokAdsResponseError,
        (f"GET {ADS_CAMPAIGNS} page 1", "request_id ads-obj", "`list` is a JSON object"),
        ADS_CAMPAIGNS,
        ATTEMPTS,
    ),
    "ads_records_not_objects": ApiCase(
        {ADS_CAMPAIGNS: (_ads_page([["1", "c"], ["2", "d"]], request_id="ads-rows"),)},
        ads_campaigns,
        TikTokAdsResponseError,
        (f"GET {ADS_CAMPAIGNS} page 1", "request_id ads-rows", "`list`[0] is a JSON list"),
        ADS_CAMPAIGNS,
        ATTEMPTS,
    ),
    "ads_pages_repeat_the_first_pages_rows": ApiCase(
        {
            ADS_CAMPAIGNS: (
                _ads_page(_campaigns("1", "2"), page=1, total_page=3, request_id="ads-r1"),
                _ads_page(_campaigns("1", "2"), page=2, total_page=3, request_id="ads-r2"),
            )
        },
        ads_campaigns,
        TikTokAdsResponseError,
        (f"GET {ADS_CAMPAIGNS} page 2", "request_id ads-r2", "no record not already seen"),
        ADS_CAMPAIGNS,
        2,
    ),
    # -- Lingxing ERP --------------------------------------------------------------------
    "erp_truncated_json_on_page_2": ApiCase(
        {
            ERP_TOKEN: (ERP_TOKEN_ANSWER,),
            ERP_ORDERS: (
                ERP_FIRST_OF_TWO_PAGES,
                Answer(200, b'{"code":0,"data":{"to'),
            ),
        },
        erp_orders,
        ErpApiCallError,
        (f"ERP API (lingxing) POST {ERP_ORDERS}", "the page at offset 2", "HTTP 200", "not JSON"),
        ERP_ORDERS,
        1 + ATTEMPTS,
    ),
    "erp_connection_dropped_on_page_2": ApiCase(
        {
            ERP_TOKEN: (ERP_TOKEN_ANSWER,),
            ERP_ORDERS: (
                ERP_FIRST_OF_TWO_PAGES,
                cut_in_transit(
                    _erp(
                        {"total": 4, "list": [{"global_order_no": "3"}, {"global_order_no": "4"}]},
                        request_id="e-2",
                    )
                ),
            ),
        },
        erp_orders,
        ErpApiUnreachableError,
        (f"POST {ERP_ORDERS} page at offset 2", "dropped the connection mid-answer"),
        ERP_ORDERS,
        1 + ATTEMPTS,
    ),
    "erp_503_every_attempt": ApiCase(
        {ERP_TOKEN: (ERP_TOKEN_ANSWER,), ERP_ORDERS: (Answer(503, b"busy", "text/plain"),)},
        erp_orders,
        ErpApiCallError,
        (f"POST {ERP_ORDERS}", "HTTP 503", "busy"),
        ERP_ORDERS,
        ATTEMPTS,
    ),
    "erp_wrong_app_id": ApiCase(
        {ERP_TOKEN: (json_answer({"code": "2001001", "msg": "appId不存在", "traceId": "erp-t"}),)},
        erp_orders,
        ErpApiAuthError,
        (f"POST {ERP_TOKEN}", "code 2001001", "request_id erp-t", "check ERP_API_APP_ID"),
        ERP_TOKEN,
        1,
    ),
    "erp_throttled_every_attempt": ApiCase(
        {
            ERP_TOKEN: (ERP_TOKEN_ANSWER,),
            ERP_ORDERS: (_erp(None, code=3001008, request_id="e-th"),),
        },
        erp_orders,
        ErpApiCallError,
        (f"POST {ERP_ORDERS}", "code 3001008", "request_id e-th", "Throttled"),
        ERP_ORDERS,
        ATTEMPTS,
    ),
    "erp_list_missing": ApiCase(
        {ERP_TOKEN: (ERP_TOKEN_ANSWER,), ERP_ORDERS: (_erp({"total": 12}, request_id="e-nl"),)},
        erp_orders,
        ErpApiCallError,
        (f"POST {ERP_ORDERS}", "offset 0", "request_id e-nl", "without a total and a list"),
        ERP_ORDERS,
        ATTEMPTS,
    ),
    "erp_list_as_object": ApiCase(
        {
            ERP_TOKEN: (ERP_TOKEN_ANSWER,),
            ERP_ORDERS: (_erp({"total": 2, "list": {"a": {}}}, request_id="e-obj"),),
        },
        erp_orders,
        ErpApiCallError,
        (f"POST {ERP_ORDERS}", "offset 0", "request_id e-obj", "without a total and a list"),
        ERP_ORDERS,
        ATTEMPTS,
    ),
    "erp_records_not_objects": ApiCase(
        {
            ERP_TOKEN: (ERP_TOKEN_ANSWER,),
            ERP_ORDERS: (_erp({"total": 2, "list": ["A-1", "A-2"]}, request_id="e-str"),),
        },
        erp_orders,
        ErpApiCallError,
        (f"POST {ERP_ORDERS}", "offset 0", "request_id e-str", "`list`[0] is a JSON string"),
        ERP_ORDERS,
        ATTEMPTS,
    ),
    "erp_short_page_before_the_total": ApiCase(
        {
            ERP_TOKEN: (ERP_TOKEN_ANSWER,),
            ERP_ORDERS: (
                _erp({"total": 9, "list": [{"global_order_no": "1"}]}, request_id="e-sh"),
            ),
        },
        erp_orders,
        ErpApiPagingError,
        (f"POST {ERP_ORDERS}", "offset 0", "request_id e-sh", "brought 1 of 2 rows"),
        ERP_ORDERS,
        1,
    ),
    # -- ECB FX --------------------------------------------------------------------------
    "ecb_daily_html_with_200": ApiCase(
        {ECB_DAILY: (HTML_PAGE,)},
        ecb_daily,
        EcbFxError,
        (ECB_DAILY, "root element is <html>"),
        ECB_DAILY,
        1,
    ),
    "ecb_daily_cut_short": ApiCase(
        {ECB_DAILY: (Answer(200, (ECB_XML_HEAD + "<Cube currency='USD' ra").encode()),)},
        ecb_daily,
        EcbFxError,
        (ECB_DAILY, "not well-formed XML", "line 5"),
        ECB_DAILY,
        1,
    ),
    "ecb_daily_rate_not_a_number": ApiCase(
        {
            ECB_DAILY: (
                Answer(
                    200,
                    (ECB_XML_HEAD + "<Cube currency='USD' rate='1,05'/>\n" + ECB_XML_TAIL).encode(),
                ),
            )
        },
        ecb_daily,
        EcbFxError,
        (ECB_DAILY, "currency='USD'", "2026-11-18", "rate '1,05' is not a positive decimal"),
        ECB_DAILY,
        1,
    ),
    "ecb_daily_not_utf8": ApiCase(
        {ECB_DAILY: (Answer(200, (ECB_XML_HEAD + "<!-- Zürich -->").encode("latin-1")),)},
        ecb_daily,
        EcbFxError,
        (ECB_DAILY, "not UTF-8"),
        ECB_DAILY,
        1,
    ),
    "ecb_503_every_attempt": ApiCase(
        {ECB_DAILY: (Answer(503, b"Service Unavailable", "text/plain"),)},
        ecb_daily,
        EcbFxError,
        (ECB_DAILY, "HTTP 503"),
        ECB_DAILY,
        ATTEMPTS,
    ),
    "ecb_history_not_a_zip": ApiCase(
        {ECB_HISTORY: (HTML_PAGE,)},
        ecb_history,
        EcbFxError,
        (ECB_HISTORY, "not a readable zip file"),
        ECB_HISTORY,
        1,
    ),
    "ecb_history_line_with_a_missing_value": ApiCase(
        {
            ECB_HISTORY: (
                _history_zip("Date,USD,JPY,\n2026-11-18,1.0512,163.2,\n2026-11-17,1.05,\n"),
            )
        },
        ecb_history,
        EcbFxError,
        (ECB_HISTORY, "line 3, column JPY", "rate '' is not a positive decimal"),
        ECB_HISTORY,
        1,
    ),
    "ecb_history_date_twice": ApiCase(
        {ECB_HISTORY: (_history_zip("Date,USD,\n2026-11-18,1.0512,\n2026-11-18,1.0498,\n"),)},
        ecb_history,
        EcbFxError,
        (ECB_HISTORY, "line 3", "date 2026-11-18 appears twice"),
        ECB_HISTORY,
        1,
    ),
}


@pytest.mark.parametrize("case", API_CASES)
def test_a_malformed_api_answer_is_refused_naming_endpoint_page_and_request_id(case):
    spec = API_CASES[case]
    with canned_api() as api:
        for path, answers in spec.answers.items():
            api.serve(path, *answers)
        with pytest.raises(spec.error) as caught:
            spec.call(api.base_url)
    message = str(caught.value)
    missing = [part for part in spec.names if part not in message]
    assert not missing, f"{missing} not in: {message}"
    assert api.count(spec.path) == spec.requests, api.requests


# ------------------------------------------------------------------- KPI configuration


@dataclass(frozen=True)
class ConfigCase:
    """One edit of a copy of kpi_config/ (`old` -> `new` in `file`), and the problem it must
    give: at the line holding `at` (the edited line when None), under `key`, saying `rule`."""

    file: str
    old: str
    new: str
    key: str
    rule: str
    at: str | None = None


US_CORE_ORDERS = '{id: us_core_orders, scope: team, scope_id: "us_core", kpi: orders'
CONFIG_CASES = {
    "yaml_syntax_error": ConfigCase(
        "organisation.yml",
        "  baseline_weeks: 4",
        "\tbaseline_weeks: 4",
        "file",
        "not valid YAML",
        at="baseline_weeks",
    ),
    "duplicate_nested_key": ConfigCase(
        "organisation.yml",
        "    name: US Home & Beauty\n",
        "    name: US Home & Beauty\n    name: Home US\n",
        "teams[0].name",
        f"duplicate key, first written on line {line_of(EXAMPLE_DIR, 'organisation.yml', 'name: US Home & Beauty')}",
        at="name: Home US",
    ),
    "unknown_kpi_in_a_target": ConfigCase(
        "targets.yml",
        f"{US_CORE_ORDERS},",
        f"{US_CORE_ORDERS}_count,",
        "targets[37]",
        "unknown KPI 'orders_count': not in the KPI dictionary",
    ),
    "unknown_team_in_a_target": ConfigCase(
        "targets.yml",
        'scope_id: "us_core", kpi: orders,',
        'scope_id: "us_cor", kpi: orders,',
        "targets[37]",
        "is for team 'us_cor', which is not in the organisation",
    ),
    "unknown_market_in_a_region": ConfigCase(
        "organisation.yml",
        "markets: [US, MX]",
        "markets: [US, MX, XX]",
        "regions[0]",
        "unknown market 'XX'",
    ),
    "override_weights_not_adding_up": ConfigCase(
        "targets.yml",
        "weights: {cpm: 10, cpc: 10, roas: 80}",
        "weights: {cpm: 10, cpc: 10, roas: 70}",
        "overrides[0]",
        "override weights sum to 90, not 100",
        at="id: double_11_ads_roas",
    ),
    "negative_target": ConfigCase(
        "targets.yml",
        f"{US_CORE_ORDERS}, from: 2026-07, value: 2800}}",
        f"{US_CORE_ORDERS}, from: 2026-07, value: -2800}}",
        "targets[37].value",
        "value -2800 must be greater than 0",
    ),
    "non_numeric_target": ConfigCase(
        "targets.yml",
        "from: 2026-07, value: 15100}",
        "from: 2026-07, value: lots}",
        "targets[75].value",
        "`value` must be a number, got 'lots'",
        at="value: lots",
    ),
    "overlapping_targets": ConfigCase(
        "targets.yml",
        f"{US_CORE_ORDERS}, from: 2026-07, value: 2800}}\n",
        (
            f"{US_CORE_ORDERS}, from: 2026-07, value: 2800}}\n"
            '  - {id: us_core_orders_q4, scope: team, scope_id: "us_core", kpi: orders, '
            "from: 2026-10, value: 3000}\n"
        ),
        "targets[38]",
        "overlapping targets for team 'us_core' and KPI 'orders'",
        at="id: us_core_orders_q4",
    ),
    "bad_month": ConfigCase(
        "targets.yml",
        "kpi: orders, from: 2026-07, value: 15100}",
        "kpi: orders, from: 2026-13, value: 15100}",
        "targets[75].from",
        "`from` must be a month YYYY-MM, got '2026-13'",
    ),
    "bad_day": ConfigCase(
        "organisation.yml",
        "name: US Home & Beauty\n    region: americas\n    started_on: 2026-01-01",
        "name: US Home & Beauty\n    region: americas\n    started_on: 2026-02-30",
        "teams[0].started_on",
        "`started_on` must be a day YYYY-MM-DD, got '2026-02-30'",
        at="started_on: 2026-02-30",
    ),
    "promotion_ending_before_it_starts": ConfigCase(
        "targets.yml",
        "from: 2026-11-11, to: 2026-11-12",
        "from: 2026-11-11, to: 2026-11-10",
        "promotions[0]",
        "`to` 2026-11-10 is before `from`",
    ),
    "whole_number_written_in_words": ConfigCase(
        "organisation.yml",
        "  scorecard_close_days: 5 ",
        "  scorecard_close_days: five ",
        "settings.scorecard_close_days",
        "must be a whole number, got 'five'",
    ),
    "misspelt_key": ConfigCase(
        "targets.yml",
        "    approved_by: Wei Zhang",
        "    approved_bi: Wei Zhang",
        "overrides[0].approved_bi",
        "unknown key `approved_bi`",
    ),
}


@pytest.mark.parametrize("case", CONFIG_CASES)
def test_a_broken_kpi_config_is_not_valid_and_names_file_line_and_key(
    case, linkstar_home, tmp_path, capsys
):
    from linkstar_pipeline import cli
    from tests.unit.pipeline.kpi_config_helpers import edit, example_copy

    spec = CONFIG_CASES[case]
    config = example_copy(tmp_path)
    edit(config, spec.file, spec.old, spec.new)
    line = line_of(config, spec.file, spec.at or spec.new.strip().splitlines()[-1])

    assert cli.main(["kpi-config", "check", "--dir", str(config)]) == 1
    out = capsys.readouterr().out
    assert "nothing would be loaded" in out.splitlines()[0]
    spot = f"{spec.file}:{line} ({spec.key})"
    assert any(spot in row and spec.rule in row for row in out.splitlines()), out


# ---------------------------------------------------------------------- ERP export files

ERP_AS_OF = int(datetime(2026, 11, 12, 12, 0, tzinfo=UTC).timestamp())
ORDERS_HEADER = "订单号,包裹号,SKU,数量,发货时间,物流费用"


@pytest.fixture(scope="module")
def broken_exports(tmp_path_factory):
    """The sandbox's broken exports, each one sample export damaged in one way."""
    dataset = generate_dataset(DatasetConfig(7, date(2026, 11, 1), date(2026, 11, 10), 5))
    files = write_broken_erp_files(dataset, tmp_path_factory.mktemp("broken"), ERP_AS_OF)
    return {broken.case: broken for broken in files}


@pytest.fixture(scope="module")
def mappings():
    return load_mappings()


def _hand_made(folder, name: str, text: str, row: int, column: str, phrase: str):
    path = folder / name
    path.write_bytes(text.encode("utf-8-sig"))
    return BrokenErpFile(name, path, row, column, phrase)


# Breakages the sandbox's set lacks: name, file text, row, column and phrase of the problem.
HAND_MADE_EXPORTS = {
    "negative_stock": (
        "库存_20261120.csv",
        "SKU,仓库名称,可用库存,在途库存\r\nA-1,深圳仓,5,0\r\nA-2,深圳仓,-3,0\r\n",
        3,
        "可用库存 (on_hand)",
        "below its minimum of 0",
    ),
    "row_cut_short": (
        "orders_short_row.csv",
        (
            f"{ORDERS_HEADER}\r\n5700000000000000001,XM1,A-1,1,2026-11-05 10:00,1.00\r\n"
            "5700000000000000002,XM2\r\n"
        ),
        3,
        "数量 (quantity)",
        "required but the cell is empty",
    ),
    "unclosed_quote": (
        "orders_unclosed_quote.csv",
        (
            f'{ORDERS_HEADER}\r\n5700000000000000001,XM1,"A-1,1,2026-11-05 10:00,1.00\r\n'
            "5700000000000000002,XM2,A-2,1,2026-11-05 10:00,2.00\r\n"
        ),
        2,
        "SKU (seller_sku)",
        "U+000D",
    ),
    "money_not_a_number": (
        "orders_nan.csv",
        f"{ORDERS_HEADER}\r\n5700000000000000001,XM1,A-1,1,2026-11-05 10:00,NaN\r\n",
        2,
        "物流费用 (shipping_cost)",
        "'NaN' is not a money amount",
    ),
}


def test_every_broken_sandbox_export_is_written(broken_exports):
    assert set(broken_exports) == set(BROKEN_CASES)


@pytest.mark.parametrize("case", [*BROKEN_CASES, *HAND_MADE_EXPORTS])
def test_a_broken_erp_export_is_rejected_whole_naming_file_row_and_column(
    broken_exports, mappings, tmp_path, case
):
    if case in HAND_MADE_EXPORTS:
        expected = _hand_made(tmp_path, *HAND_MADE_EXPORTS[case])
    else:
        expected = broken_exports[case]
    with pytest.raises(ErpFileRejected) as caught:
        read_erp_file(expected.path, mappings)  # rejected whole: no rows come back at all
    rejection = caught.value
    assert rejection.file == str(expected.path)
    places = [(p.file, p.row, p.column) for p in rejection.problems]
    assert (str(expected.path), expected.row, expected.column) in places
    problem = rejection.problems[places.index((str(expected.path), expected.row, expected.column))]
    assert expected.message_part in problem.message
    report = str(rejection)
    assert str(expected.path) in report and expected.message_part in report
    assert "nothing was loaded" in report
    if expected.row is not None:
        assert f"row {expected.row}, column {expected.column}" in report


# The same clients against the sandbox, where one of its fault knobs already produces the
# case over real HTTP: every answer a 5xx (HTML 502 or a 500 envelope; the ads emulator's
# system codes), and every body cut short mid-answer with the connection dropped (which the
# canned server, sending whole bodies, cannot do). A small dataset keeps each start short.
SANDBOX_KNOBS = {
    "every_answer_a_server_fault": {"fault_rate": 1.0},
    "every_body_cut_short_in_transit": {"truncate_rate": 1.0},
}


def _shop_log(sandbox) -> list:
    return sandbox.request_log


def _ads_log(sandbox) -> list:
    return sandbox.ads_request_log


def _erp_log(sandbox) -> list:
    return sandbox.lingxing_api.request_log


# case -> (knob, client call, error, what the message names, the emulator's request log, path)
KNOB_CASES = {
    "shop_server_faults": (
        "every_answer_a_server_fault", shop_orders, TikTokShopError,
        (f"POST {SHOP_SEARCH}", "HTTP 50"), _shop_log, SHOP_SEARCH,
    ),
    "ads_server_faults": (
        "every_answer_a_server_fault", ads_campaigns, TikTokAdsApiError,
        (ADS_CAMPAIGNS, f"advertiser {ADVERTISER}", "request_id 2"), _ads_log, ADS_CAMPAIGNS,
    ),
    "erp_server_faults": (
        "every_answer_a_server_fault", erp_orders, ErpApiError,
        (f"POST {ERP_TOKEN}", "HTTP 502"), _erp_log, ERP_TOKEN,
    ),
    "ads_bodies_cut_short": (
        "every_body_cut_short_in_transit", ads_campaigns, TikTokAdsUnreachableError,
        (f"GET {ADS_CAMPAIGNS} (page 1, advertiser {ADVERTISER})",
         "dropped the connection mid-answer", "did not arrive whole"),
        _ads_log, ADS_CAMPAIGNS,
    ),
    "shop_bodies_cut_short": (
        "every_body_cut_short_in_transit", shop_orders, TikTokShopError,
        (f"POST {SHOP_SEARCH} page 1", "dropped the connection mid-answer", "did not arrive whole"),
        _shop_log, SHOP_SEARCH,
    ),
    "erp_bodies_cut_short": (
        "every_body_cut_short_in_transit", erp_orders, ErpApiError,
        (f"POST {ERP_TOKEN}", "dropped the connection mid-answer", "did not arrive whole"),
        _erp_log, ERP_TOKEN,
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def knob_sandboxes():
    with ExitStack() as stack:
        yield {
            name: stack.enter_context(
                sandbox_running(start_date=date(2026, 11, 19), orders_per_shop_day=2, **knobs)
            )
            for name, knobs in SANDBOX_KNOBS.items()
        }


@pytest.mark.parametrize("case", KNOB_CASES)
def test_an_api_failing_on_every_attempt_through_a_sandbox_knob_is_an_error_naming_it(
    knob_sandboxes, case
):
    knob, call, error, names, request_log, path = KNOB_CASES[case]
    sandbox = knob_sandboxes[knob]
    with pytest.raises(error) as caught:
        call(sandbox.base_url + (LINGXING_SANDBOX_PATH if call is erp_orders else ""))
    message = str(caught.value)
    missing = [part for part in names if part not in message]
    assert not missing, f"{missing} not in: {message}"
    assert sum(1 for _, sent, *_ in request_log(sandbox) if sent.endswith(path)) == ATTEMPTS


# A refused walk inside the real landing asset: the orders asset fails naming the page, and
# the partition's raw file landed before stays byte for byte (not a smaller file). One home
# and one good landing serve every case; each case is one more run of the asset.
LANDING_CASES = (
    "shop_truncated_json_on_page_2",
    "shop_data_missing",
    "shop_records_not_objects",
    "shop_page_token_changes_while_records_repeat",
    "shop_missing_scope",
)
SHOP_ID = "7494000000000000001"


def _good_orders_pages() -> tuple[Answer, ...]:
    return (
        _shop_page(_orders("1", "2"), token="t2", total=3, request_id="good-1"),
        _shop_page(_orders("3"), total=3, request_id="good-2"),
    )


def test_a_refused_answer_fails_the_landing_and_keeps_the_raw_file_byte_for_byte(
    linkstar_home, monkeypatch
):
    import dagster as dg

    from connectors.sandbox_defaults import sandbox_environment
    from linkstar_pipeline.defs.tiktok_shop.assets import orders, shops
    from linkstar_pipeline.defs.tiktok_shop.resources import TikTokShopApiResource
    from linkstar_pipeline.lib.raw_landing import raw_file_path, read_raw_pages

    day = "2026-11-18"
    resources = {
        "tiktok_shop": TikTokShopApiResource(
            max_attempts=ATTEMPTS, backoff_base_seconds=0.001, backoff_max_seconds=0.005
        )
    }
    with canned_api() as api:
        for name, value in sandbox_environment(api.base_url).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("TIKTOK_SHOP_MAX_REQUESTS_PER_SECOND", "0")
        api.serve("/authorization/202309/shops", envelope(
            {"shops": [{"id": SHOP_ID, "region": "GB", "cipher": "shop-cipher", "name": "s"}]},
            request_id="shops",
        ))  # fmt: skip
        api.serve(SHOP_SEARCH, *_good_orders_pages())
        assert dg.materialize([shops], resources=resources).success
        assert dg.materialize([shops, orders], selection=[orders], partition_key=day,
                              resources=resources).success  # fmt: skip
        path = raw_file_path(linkstar_home / "raw", "tiktok_shop", "orders", day)
        good = path.read_bytes()
        assert [page.request_id for page in read_raw_pages(path)] == ["good-1", "good-2"]

        for case in LANDING_CASES:
            spec = API_CASES[case]
            api.serve(SHOP_SEARCH, *spec.answers[SHOP_SEARCH])
            result = dg.materialize([shops, orders], selection=[orders], partition_key=day,
                                    resources=resources, raise_on_error=False)  # fmt: skip
            assert not result.success, case
            [failure] = result.get_step_failure_events()
            error = failure.step_failure_data.error
            message = error.cause.message if error.cause else error.message
            missing = [part for part in spec.names if part not in message]
            assert not missing, f"{case}: {missing} not in {message}"
            assert path.read_bytes() == good, case
