"""领星 Lingxing open API emulator: token, signed calls, offset paging, token buckets.

Derived from the sandbox Dataset at the data clock: every TikTok order becomes an ERP order
once it is paid (status 5 awaiting shipment), 6 once shipped, 7 once cancelled; some orders
ship as two ERP packages (split orders, two ERP order numbers), a few never reach the ERP
(shipped by hand). Items carry the MSKU (= TikTok seller_sku), a local SKU, quantities, the
unit purchase cost and estimated freight in CNY; packages carry carrier, tracking number and
the actual logistics cost in CNY. Inventory is one row per stock pool (warehouse x SKU) at
the data clock, from sandbox/stock.py.

Conventions emulated (see connectors/erp_api/lingxing.py for the sources): times are Unix
seconds except `global_create_time`, printed in Beijing time (UTC+8) as Lingxing's web app
shows it; `/pb/mp/...` answers `data: {total, list}`, the older `/erp/sc/...` inventory
endpoint `data: [...]` with `total` beside it; errors come with HTTP 200 and a code.
Sandbox choices where the vendor is silent: code 1001 for an invalid parameter, 2001002 for
a wrong AppSecret, 2001006 also for a signature older than two minutes.

`lingxing_api_truth` states in plain Python what a correct load must end up with.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from connectors.sandbox_defaults import (
    LINGXING_SANDBOX_APP_ID,
    LINGXING_SANDBOX_APP_SECRET,
    LINGXING_SANDBOX_PATH,
)
from sandbox.erp_exports import stock_warehouse
from sandbox.faults import ListFaults, TransportDraw, TransportFaults
from sandbox.generator import Dataset, Order
from sandbox.journal import RequestJournal
from sandbox.tiktok_shop_api import ApiRequest, ApiResponse, TokenBucket

PATH_PREFIX = LINGXING_SANDBOX_PATH
TOKEN_PATH = "/api/auth-server/oauth/access-token"
ORDERS_PATH = "/pb/mp/order/v2/list"
INVENTORY_PATH = "/erp/sc/routing/data/local_inventory/inventoryDetails"

CODE_OK = 0
CODE_UNKNOWN_APP = 2001001
CODE_BAD_SECRET = 2001002  # sandbox choice
CODE_TOKEN = 2001003
CODE_BAD_SIGN = 2001006
CODE_THROTTLED = 3001008
CODE_BAD_PARAM = 1001  # sandbox choice
CODE_NOT_FOUND = 404  # sandbox choice: unknown path

TIKTOK_PLATFORM_CODE = 10011
STATUS_AWAITING_SHIPMENT = 5
STATUS_SHIPPED = 6
STATUS_CANCELLED = 7
MAX_LENGTH = {ORDERS_PATH: 500, INVENTORY_PATH: 800}
MAX_WINDOW_SECONDS = 31 * 86400
DATE_TYPES = ("update_time", "global_purchase_time", "global_payment_time", "global_delivery_time")
BEIJING = timezone(timedelta(hours=8))
WAREHOUSES = ((1, "美国洛杉矶海外仓"), (2, "深圳宝安仓"))
# Every ERP warehouse the sandbox's shops ship from, with a fixed wid (the ones above first).
WAREHOUSE_IDS = {
    name: wid
    for wid, name in enumerate(
        ("美国洛杉矶海外仓", "深圳宝安仓", "义乌仓", "英国伦敦海外仓", "广州白云仓", "东莞仓"),
        start=1,
    )
}

_MISSING_RATE = 0.03
_SPLIT_RATE = 0.15
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class LingxingApiSettings:
    seed: int = 7
    # One token per app and endpoint, refilled this fast (Lingxing: capacity often 1).
    rate_limit_per_second: float = 10.0
    rate_limit_burst: int = 1
    token_ttl_seconds: int = 7200
    sign_window_seconds: int = 120
    fault_rate: float = 0.0  # share of answers replaced by an HTML 502
    truncate_rate: float = 0.0
    # Share of answers held back `slow_seconds` (a client waiting less times out).
    slow_rate: float = 0.0
    slow_seconds: float = 5.0
    # A share of order pages lose `data.list` (or carry an object in its place), `total` kept.
    list_fault_rate: float = 0.0
    list_fault: str = "missing"
    apps: Mapping[str, str] = field(
        default_factory=lambda: {LINGXING_SANDBOX_APP_ID: LINGXING_SANDBOX_APP_SECRET}
    )


class _Rejected(Exception):
    def __init__(self, code: int, message: str, http_status: int = 200) -> None:
        super().__init__(message)
        self.code, self.message, self.http_status = code, message, http_status


# --------------------------------------------------------------------------- ERP records


@dataclass(frozen=True)
class ErpPackage:
    """One ERP order (a package): the TikTok order it fulfils and what ships in it."""

    global_order_no: str
    order: Order
    warehouse: tuple[int, str]
    lines: tuple[tuple[str, int], ...]  # (seller_sku, quantity) in item order
    split: bool
    tracking_number: str
    shipping_cost: Decimal  # actual logistics cost, CNY
    estimated_shipping: Decimal  # CNY

    def status_at(self, as_of: int) -> int | None:
        order = self.order
        if order.paid_time is None or order.paid_time > as_of:
            return None
        if order.rts_time is not None and order.rts_time <= as_of:
            return STATUS_SHIPPED
        if order.cancel_time is not None and order.cancel_time <= as_of:
            return STATUS_CANCELLED
        return STATUS_AWAITING_SHIPMENT

    def update_time_at(self, as_of: int) -> int:
        events = (self.order.paid_time, self.order.rts_time, self.order.cancel_time)
        return max(t for t in events if t is not None and t <= as_of)


@dataclass(frozen=True)
class LingxingData:
    packages: tuple[ErpPackage, ...]
    missing_orders: frozenset[str]
    unit_cost: Mapping[str, Decimal]  # seller_sku -> unit purchase cost, CNY
    head_cost: Mapping[str, Decimal]  # seller_sku -> unit first-leg freight, CNY


def build_lingxing_data(dataset: Dataset) -> LingxingData:
    """Every order's ERP packages (deterministic per seed and order, whatever the window)."""
    seed = dataset.config.seed if dataset.config else 0
    packages, missing = [], set()
    for order in dataset.orders:
        if order.paid_time is None:
            continue
        rng = random.Random(f"{seed}:{order.order_id}:lingxing-api")
        if rng.random() < _MISSING_RATE:
            missing.add(order.order_id)
            continue
        packages += _packages_of(rng, order)
    skus = sorted(_all_skus(dataset))
    unit_cost, head_cost = {}, {}
    for sku in skus:
        rng = random.Random(f"{seed}:{sku}:lingxing-api-cost")
        unit_cost[sku] = Decimal(rng.randint(300, 9000)) / 100
        head_cost[sku] = (unit_cost[sku] * Decimal(str(rng.uniform(0.05, 0.15)))).quantize(_CENT)
    packages.sort(key=lambda p: p.global_order_no)
    return LingxingData(tuple(packages), frozenset(missing), unit_cost, head_cost)


def _all_skus(dataset: Dataset) -> set[str]:
    skus = {sku.seller_sku for catalogue in dataset.catalogues.values() for sku in catalogue}
    return skus | {line.seller_sku for order in dataset.orders for line in order.line_items}


def _packages_of(rng: random.Random, order: Order) -> list[ErpPackage]:
    units: dict[str, int] = {}
    for line in order.line_items:  # one TikTok line is one unit
        units[line.seller_sku] = units.get(line.seller_sku, 0) + 1
    groups = [list(units.items())]
    if sum(units.values()) >= 2 and rng.random() < _SPLIT_RATE:
        items = list(units.items())
        if len(items) > 1:
            groups = [items[:1], items[1:]]
        else:
            sku, quantity = items[0]
            groups = [[(sku, quantity - quantity // 2)], [(sku, quantity // 2)]]
    base = "10" + "".join(str(rng.randint(0, 9)) for _ in range(14))
    rng.choice(WAREHOUSES)  # drawn, so the stream stays as it was
    name = stock_warehouse(order.shop)  # ships from where its stock is (sandbox/stock.py)
    warehouse = (WAREHOUSE_IDS[name], name)
    packages = []
    for index, lines in enumerate(groups, start=1):
        cost = Decimal(rng.randint(800, 6500)) / 100
        tracking = order.tracking_number if index == 1 else f"{order.tracking_number}-{index}"
        packages.append(
            ErpPackage(
                global_order_no=base if len(groups) == 1 else f"{base[:-1]}{index}",
                order=order,
                warehouse=warehouse,
                lines=tuple(lines),
                split=len(groups) > 1,
                tracking_number=tracking,
                shipping_cost=cost,
                estimated_shipping=(cost * Decimal("0.9")).quantize(_CENT),
            )
        )
    return packages


# ------------------------------------------------------------------------------ truth


@dataclass(frozen=True)
class LingxingTruth:
    """What a correct load of the emulated API holds at `as_of`."""

    statuses: dict[str, int]  # global_order_no -> status
    shipped_lines: tuple[dict[str, object], ...]  # one per shipped package x seller SKU
    missing_orders: frozenset[str]  # paid TikTok orders the ERP never got
    split_orders: dict[str, tuple[str, ...]]  # TikTok order id -> its package numbers
    inventory_rows: int


def lingxing_api_truth(dataset: Dataset, as_of: int) -> LingxingTruth:
    data = build_lingxing_data(dataset)
    statuses, lines, split = {}, [], {}
    for package in data.packages:
        status = package.status_at(as_of)
        if status is None:
            continue
        statuses[package.global_order_no] = status
        if package.split:
            split.setdefault(package.order.order_id, ())
            split[package.order.order_id] += (package.global_order_no,)
        if status != STATUS_SHIPPED:
            continue
        for position, (sku, quantity) in enumerate(package.lines):
            lines.append(
                {
                    "order_id": package.order.order_id,
                    "erp_package_no": package.global_order_no,
                    "seller_sku": sku,
                    "quantity": quantity,
                    "warehouse": package.warehouse[1],
                    "tracking_number": package.tracking_number,
                    "shipped_at": datetime.fromtimestamp(package.order.rts_time or 0, UTC),
                    "shipping_cost": package.shipping_cost if position == 0 else None,
                    "unit_purchase_cost_cny": data.unit_cost[sku],
                }
            )
    missing = frozenset(
        o for o in data.missing_orders if (dataset.order_by_id(o).paid_time or as_of + 1) <= as_of
    )
    stock_rows = len(inventory_rows(dataset, data, 0, as_of))
    return LingxingTruth(statuses, tuple(lines), missing, split, stock_rows)


# ------------------------------------------------------------------------------- views


def _date_value(package: ErpPackage, date_type: str, as_of: int) -> int:
    """The time a `date_type` filter compares, as the order shows at `as_of` (0 when unset)."""
    order = package.order
    if date_type == "update_time":
        return package.update_time_at(as_of)
    if date_type == "global_purchase_time":
        return order.create_time
    if date_type == "global_payment_time":
        return order.paid_time or 0
    shipped = order.rts_time is not None and order.rts_time <= as_of
    return order.rts_time if shipped and order.rts_time else 0


def _beijing_text(unix_seconds: int) -> str:
    return datetime.fromtimestamp(unix_seconds, BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def _package_view(package: ErpPackage, data: LingxingData, as_of: int) -> dict[str, Any]:
    order, status = package.order, package.status_at(as_of)
    shipped = status == STATUS_SHIPPED
    prices = {line.seller_sku: line.original_price for line in order.line_items}
    items = []
    for position, (sku, quantity) in enumerate(package.lines, start=1):
        unit_price = prices[sku]
        items.append(
            {
                "id": f"{package.global_order_no}{position:02d}",
                "global_item_no": f"{package.global_order_no}-{position}",
                "platform_order_no": order.order_id,
                "msku": sku,
                "local_sku": f"LS-{sku}",
                "quantity": quantity,
                "unit_price_amount": str(unit_price),
                "item_price_amount": str(unit_price * quantity),
                "cg_price_amount": str(data.unit_cost[sku]),
                "stock_cost_amount": str(data.unit_cost[sku] * quantity),
                "shipping_amount": str(package.estimated_shipping) if position == 1 else "0.00",
                "is_delete": 0,
            }
        )
    return {
        "global_order_no": package.global_order_no,
        "store_id": f"LX{order.shop.shop_id[-8:]}",
        "store_name": order.shop.name,
        "order_from_name": "TikTok",
        "split_type": "2" if package.split else "1",
        "status": status,
        "amount_currency": order.currency,
        "wid": package.warehouse[0],
        "warehouse_name": package.warehouse[1],
        "global_purchase_time": order.create_time,
        "global_payment_time": order.paid_time,
        "global_delivery_time": order.rts_time if shipped else 0,
        "global_cancel_time": order.cancel_time if status == STATUS_CANCELLED else 0,
        "global_create_time": _beijing_text(order.paid_time or order.create_time),
        "update_time": package.update_time_at(as_of),
        "platform_info": [
            {
                "platform_code": str(TIKTOK_PLATFORM_CODE),
                "platform_order_no": order.order_id,
                "store_country_code": order.shop.region,
            }
        ],
        "item_info": items,
        "logistics_info": {
            "logistics_provider_name": order.shipping_provider if shipped else "",
            "tracking_no": package.tracking_number if shipped else "",
            "cost_currency_code": "CNY",
            "pre_cost_amount": str(package.estimated_shipping),
            "cost_amount": str(package.shipping_cost) if shipped else "0.00",
        },
    }


def inventory_rows(dataset: Dataset, data: LingxingData, seed: int, as_of: int) -> list[dict]:
    """One row per stock pool (warehouse x MSKU) with its units at `as_of`.

    Available units (`product_valid_num`) and purchases in transit (`quantity_receive`) come
    from the dataset's stock model (sandbox/stock.py), the series the ERP files and the
    TikTok listings show; the sandbox's one Lingxing account sees every shop's warehouse.
    A hand-built dataset without a stock model gets random counts per SKU and warehouse.
    """
    if dataset.stock is None:
        return _random_inventory_rows(data, seed)
    wids = WAREHOUSE_IDS
    rows = []
    for warehouse, sku in sorted(dataset.stock.levels, key=lambda p: (wids[p[0]], p[1])):
        level = dataset.stock.level_at((warehouse, sku), as_of)
        rng = random.Random(f"{seed}:{sku}:{wids[warehouse]}:lingxing-api-stock")
        rows.append(
            {
                "wid": wids[warehouse],
                "warehouse_name": warehouse,
                "sku": f"LS-{sku}",
                "product_valid_num": level.on_hand,
                "product_bad_num": rng.randint(0, 3),
                "product_lock_num": 0,  # held units are already out of the available count
                "quantity_receive": level.in_transit,
                "product_onway": 0,
                "purchase_price": str(data.unit_cost[sku]),
                "head_stock_price": str(data.head_cost[sku]),
            }
        )
    return rows


def _random_inventory_rows(data: LingxingData, seed: int) -> list[dict[str, Any]]:
    rows = []
    for wid, name in WAREHOUSES:
        for sku in sorted(data.unit_cost):
            rng = random.Random(f"{seed}:{sku}:{wid}:lingxing-api-stock")
            rows.append(
                {
                    "wid": wid,
                    "warehouse_name": name,
                    "sku": f"LS-{sku}",
                    "product_valid_num": 0 if rng.random() < 0.1 else rng.randint(1, 2500),
                    "product_bad_num": rng.randint(0, 3),
                    "product_lock_num": rng.randint(0, 20),
                    "quantity_receive": rng.randint(50, 800) if rng.random() < 0.3 else 0,
                    "product_onway": rng.randint(10, 300) if rng.random() < 0.2 else 0,
                    "purchase_price": str(data.unit_cost[sku]),
                    "head_stock_price": str(data.head_cost[sku]),
                }
            )
    return rows


# --------------------------------------------------------------------------------- api


class LingxingApi:
    """The emulated gateway; `handle` takes paths with or without the `/lingxing` prefix."""

    def __init__(
        self,
        dataset: Dataset,
        settings: LingxingApiSettings,
        data_clock: Callable[[], int],
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.dataset = dataset
        self.settings = settings
        self.data = build_lingxing_data(dataset)
        self._data_clock = data_clock
        self._wall_clock = wall_clock
        self._bucket = TokenBucket(settings.rate_limit_per_second, settings.rate_limit_burst)
        self._tokens: dict[str, tuple[str, float]] = {}  # token -> (app id, expires at)
        self._lock = threading.Lock()
        self._faults = TransportFaults(f"{settings.seed}:lingxing-faults", settings)
        self._list_faults = ListFaults(
            settings.list_fault_rate, settings.list_fault, f"{settings.seed}:lingxing"
        )
        self._journal = RequestJournal()
        self.token_requests = 0

    @property
    def request_log(self) -> list[tuple[str, str, int, int | None]]:
        return self._journal.entries()

    def set_rate_limit(self, per_second: float, burst: int = 1) -> None:
        """Tests turn the bucket down to provoke 3001008 on a running sandbox."""
        self._bucket = TokenBucket(per_second, burst)

    def expire_tokens(self) -> None:
        """Every token issued so far lapses now (the next call answers 2001003)."""
        with self._lock:
            self._tokens = {t: (app, 0.0) for t, (app, _) in self._tokens.items()}

    def handle(self, request: ApiRequest) -> ApiResponse:
        path = request.path.removeprefix(PATH_PREFIX)
        request_id = self._journal.next_request_id()
        draw = TransportDraw()
        try:
            if request.method != "POST":
                raise _Rejected(CODE_NOT_FOUND, f"{path} expects POST", 405)
            draw = self._faults.draw()
            if draw.fault is not None:
                response = ApiResponse(502, b"<html>502 Bad Gateway</html>", "text/html", None)
            elif path == TOKEN_PATH:
                response = self._token(request, request_id)
            elif path in (ORDERS_PATH, INVENTORY_PATH):
                response = self._business(path, request, request_id)
            else:
                raise _Rejected(CODE_NOT_FOUND, f"api not found: {path}", 404)
        except _Rejected as err:
            response = _answer(err.http_status, err.code, err.message, request_id, None)
        self._journal.record(request.method, request.path, response.status, response.api_code)
        return draw.apply(response)

    # -- token ---------------------------------------------------------------------------------

    def _token(self, request: ApiRequest, request_id: str) -> ApiResponse:
        form = {**request.query, **_form_fields(request)}
        app_id, secret = form.get("appId", ""), form.get("appSecret", "")
        expected = self.settings.apps.get(app_id)
        if expected is None:
            return _token_answer("2001001", "app not exist", None)
        if not hmac.compare_digest(expected.encode(), secret.encode()):
            return _token_answer("2001002", "appSecret is wrong", None)
        token = str(uuid.uuid4())
        with self._lock:
            self.token_requests += 1
            expires = self._wall_clock() + self.settings.token_ttl_seconds
            self._tokens[token] = (app_id, expires)
        data = {
            "access_token": token,
            "refresh_token": str(uuid.uuid4()),
            "expires_in": self.settings.token_ttl_seconds - 1,
        }
        return _token_answer("200", "OK", data)

    # -- business calls ------------------------------------------------------------------------

    def _business(self, path: str, request: ApiRequest, request_id: str) -> ApiResponse:
        query = request.query
        missing = [p for p in ("access_token", "app_key", "timestamp", "sign") if not query.get(p)]
        if "access_token" in missing:
            raise _Rejected(CODE_TOKEN, "access token is missing")
        if missing:
            raise _Rejected(CODE_BAD_PARAM, f"common parameters missing: {', '.join(missing)}")
        app_id = self._check_token(query["access_token"], query["app_key"])
        body = _json_body(request.body)
        self._check_sign(app_id, query, body)
        if not self._bucket.allow((app_id, path)):
            raise _Rejected(CODE_THROTTLED, "request too frequent, please retry later")
        as_of = self._data_clock()
        if path == ORDERS_PATH:
            total, rows = self._orders(body, as_of)
            data = self._list_faults.apply({"total": total, "list": rows})
            return _answer(200, CODE_OK, "success", request_id, data)
        stock = inventory_rows(self.dataset, self.data, self.settings.seed, as_of)
        total, rows = self._page(body, stock, MAX_LENGTH[INVENTORY_PATH])
        return _answer(200, CODE_OK, "success", request_id, rows, total=total)

    def _check_token(self, token: str, app_key: str) -> str:
        with self._lock:
            known = self._tokens.get(token)
        if known is None or known[1] <= self._wall_clock():
            raise _Rejected(CODE_TOKEN, "access token is invalid or expired")
        if known[0] != app_key:
            raise _Rejected(CODE_BAD_SIGN, "app_key does not match the access token")
        return known[0]

    def _check_sign(self, app_id: str, query: Mapping[str, str], body: dict) -> None:
        params = {k: v for k, v in query.items() if k != "sign"} | body
        expected = _sign(params, app_id)
        if not hmac.compare_digest(expected.encode(), query["sign"].encode()):
            raise _Rejected(CODE_BAD_SIGN, "api sign not correct")
        stamp = query["timestamp"]
        if not stamp.isdigit() or abs(int(stamp) - self._wall_clock()) > (
            self.settings.sign_window_seconds
        ):
            raise _Rejected(CODE_BAD_SIGN, "sign has expired (timestamp out of range)")

    def _orders(self, body: dict, as_of: int) -> tuple[int, list[dict]]:
        date_type = body.get("date_type", "update_time")
        if date_type not in DATE_TYPES:
            raise _Rejected(CODE_BAD_PARAM, f"date_type must be one of {sorted(DATE_TYPES)}")
        start, end = body.get("start_time"), body.get("end_time")
        if not isinstance(start, int) or not isinstance(end, int) or end < start:
            raise _Rejected(CODE_BAD_PARAM, "start_time and end_time: Unix seconds, start <= end")
        if end - start > MAX_WINDOW_SECONDS:
            raise _Rejected(CODE_BAD_PARAM, "the time range cannot exceed 31 days")
        codes = body.get("platform_code") or [TIKTOK_PLATFORM_CODE]
        if not isinstance(codes, list) or not all(str(c).isdigit() for c in codes):
            raise _Rejected(CODE_BAD_PARAM, "platform_code must be a list of platform codes")
        if TIKTOK_PLATFORM_CODE not in [int(c) for c in codes]:
            return self._page(body, [], MAX_LENGTH[ORDERS_PATH])
        found = [
            p
            for p in self.data.packages
            if p.status_at(as_of) is not None and start <= _date_value(p, date_type, as_of) <= end
        ]
        total, page = self._page(body, found, MAX_LENGTH[ORDERS_PATH])
        return total, [_package_view(p, self.data, as_of) for p in page]

    @staticmethod
    def _page(body: dict, rows: list, max_length: int) -> tuple[int, list]:
        offset, length = body.get("offset", 0), body.get("length", 20)
        if not isinstance(offset, int) or offset < 0:
            raise _Rejected(CODE_BAD_PARAM, "offset must be a non-negative integer")
        if not isinstance(length, int) or not 1 <= length <= max_length:
            raise _Rejected(CODE_BAD_PARAM, f"length must be 1-{max_length}")
        return len(rows), rows[offset : offset + length]


# ------------------------------------------------------------------------------ helpers


def _sign(params: Mapping[str, Any], app_id: str) -> str:
    """The emulator's own reading of Lingxing's guide (kept apart from the connector's)."""
    pairs = []
    for key in sorted(params):
        value = params[key]
        if value == "":
            continue
        if value is None:
            text = "null"
        elif isinstance(value, dict | list):
            text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        else:
            text = str(value)
        pairs.append(f"{key}={text}")
    digest = hashlib.md5("&".join(pairs).encode()).hexdigest().upper().encode()
    padder = padding.PKCS7(128).padder()
    cipher = Cipher(algorithms.AES(app_id.encode()), modes.ECB()).encryptor()
    sealed = cipher.update(padder.update(digest) + padder.finalize()) + cipher.finalize()
    return base64.b64encode(sealed).decode()


def _form_fields(request: ApiRequest) -> dict[str, str]:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + request.body
        )
        return {
            part.get_param("name", header="content-disposition"): part.get_content().strip()
            for part in message.iter_parts()
        }
    if content_type.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(request.body.decode("utf-8")))
    return {}


def _json_body(raw: bytes) -> dict:
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise _Rejected(CODE_BAD_PARAM, "body must be JSON") from None
    if not isinstance(body, dict):
        raise _Rejected(CODE_BAD_PARAM, "body must be a JSON object")
    return body


def _answer(
    status: int, code: int, message: str, request_id: str, data: Any, total: int | None = None
) -> ApiResponse:
    envelope: dict[str, Any] = {
        "code": code,
        "message": message,
        "error_details": [] if code == CODE_OK else [message],
        "request_id": request_id,
        "response_time": datetime.now(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
        "data": data,
    }
    if total is not None:
        envelope["total"] = total
    body = json.dumps(envelope, ensure_ascii=False).encode("utf-8")
    return ApiResponse(status, body, "application/json", code)


def _token_answer(code: str, msg: str, data: dict | None) -> ApiResponse:
    body = json.dumps({"code": code, "msg": msg, "data": data}).encode("utf-8")
    return ApiResponse(200, body, "application/json", int(code))
