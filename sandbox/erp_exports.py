"""Sample ERP export files for the sandbox's shops, with the truth of what they contain.

A seller runs one ERP per group of markets, so vendors follow the shop's region (US →
领星 Lingxing, GB and ID → 马帮 Mabang, everything else → 店小秘 Dianxiaomi) and each
writes what it really would: Lingxing an `.xlsx` with typed date and number cells (and
sign-for times as bare Excel serials, as a pasted column looks), Mabang a GB18030 CSV with
Beijing-time text, `¥1,234.50` amounts and `1,250` counts, Dianxiaomi a UTF-8-with-BOM CSV with
`2026/11/5 14:03` times (no seconds) and ids padded with a tab. `formats=` writes any vendor
in any of the three formats, so tests can cover every vendor × encoding.

The exports disagree with TikTok the way real ones do, and the truth lists each case: a
few shipped orders are missing from the ERP, some orders ship as two packages, and the
ERP's sign-for time lags TikTok's `delivery_time` by up to two days for some orders.
Package-level amounts (shipping cost) sit on a package's first SKU line only, as in an
export with merged cells, so they can be summed. Every draw comes from a random stream
keyed by (seed, order or SKU), so an order's export rows never depend on the window.
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
from openpyxl.writer.excel import ExcelWriter

from sandbox.generator import DAY, Dataset, Order, Shop

LINGXING = "lingxing"
MABANG = "mabang"
DIANXIAOMI = "dianxiaomi"
VENDORS = (LINGXING, MABANG, DIANXIAOMI)

XLSX = "xlsx"
CSV_UTF8_BOM = "csv_utf8_bom"
CSV_GB18030 = "csv_gb18030"
FILE_FORMATS = (XLSX, CSV_UTF8_BOM, CSV_GB18030)
VENDOR_FORMATS = {LINGXING: XLSX, MABANG: CSV_GB18030, DIANXIAOMI: CSV_UTF8_BOM}

ORDER_FULFILMENT = "order_fulfilment"
SKU_LANDED_COST = "sku_landed_cost"
INVENTORY_SNAPSHOT = "inventory_snapshot"
KINDS = (ORDER_FULFILMENT, SKU_LANDED_COST, INVENTORY_SNAPSHOT)

# Regions a vendor serves; every other region (TH and any market added later) is Dianxiaomi.
_VENDOR_BY_REGION = {"US": LINGXING, "GB": MABANG, "ID": MABANG}
ERP_CLOCK = ZoneInfo("Asia/Shanghai")
_EXCEL_EPOCH = datetime(1899, 12, 30)
_CENT = Decimal("0.01")
_SHEET = "Sheet1"  # the one sheet of every sample workbook

_MISSING_RATE = 0.03  # shipped on TikTok, never entered in the ERP (a manual shipment)
_SPLIT_RATE = 0.15  # orders of two or more units shipped as two packages
_LATE_SIGN_RATE = 0.2  # sign-for recorded after TikTok's delivery time
_WAREHOUSES = {
    LINGXING: ("美国洛杉矶海外仓", "深圳宝安仓"),
    MABANG: ("义乌仓", "英国伦敦海外仓"),
    DIANXIAOMI: ("广州白云仓", "东莞仓"),
}
_ERP_ORDER_PREFIX = {LINGXING: "SO", MABANG: "MB", DIANXIAOMI: "XM"}
# Rough CNY per unit of the shop currency, only to make purchase costs look plausible.
_CNY_PER_UNIT = {
    "USD": 7.2,
    "GBP": 9.1,
    "IDR": 0.00045,
    "THB": 0.2,
    "MYR": 1.55,
    "PHP": 0.125,
    "VND": 0.00028,
    "SGD": 5.4,
    "MXN": 0.39,
}


def vendor_for_shop(shop: Shop) -> str:
    return _VENDOR_BY_REGION.get(shop.region, DIANXIAOMI)


def stock_warehouse(shop: Shop) -> str:
    """The ERP warehouse a shop ships from and keeps its stock in (its vendor's first)."""
    return _WAREHOUSES[vendor_for_shop(shop)][0]


# ---------------------------------------------------------------------------- ground truth


@dataclass(frozen=True)
class ErpExportFile:
    """One written file; `rows` are exactly what a correct reader returns for it.

    Each row holds every canonical column of `kind` (typed: Decimal, int, aware UTC
    datetime, date) plus `source_row`, the spreadsheet row number (header = row 1), and
    `source_sheet`, the workbook sheet (None for a CSV).
    Times are as precise as the vendor writes them (Dianxiaomi drops seconds).
    """

    name: str
    vendor: str
    kind: str
    file_format: str
    rows: tuple[dict[str, object], ...]


@dataclass(frozen=True)
class ErpExportTruth:
    """What the sample exports contain, and where they knowingly disagree with TikTok."""

    as_of: int
    vendor_by_shop: dict[str, str]
    files: tuple[ErpExportFile, ...]
    exported_orders: frozenset[str]  # TikTok order ids present in some orders export
    missing_orders: frozenset[str]  # shipped on TikTok by as_of, absent from the ERP
    split_orders: dict[str, tuple[str, ...]]  # order id -> its ERP package numbers
    late_sign_for: dict[str, int]  # order id -> seconds the ERP sign-for lags delivery_time

    def file(self, vendor: str, kind: str) -> ErpExportFile:
        return next(f for f in self.files if f.vendor == vendor and f.kind == kind)


# ----------------------------------------------------------------------------- styles


@dataclass(frozen=True)
class _Style:
    """How one vendor prints values; `typed_cells` keeps numbers and dates typed in a workbook."""

    typed_cells: bool
    datetime_text: Callable[[datetime], str]
    date_text: Callable[[date], str]
    money_text: Callable[[Decimal], str]
    integer_text: Callable[[int], str]
    id_text: Callable[[str], str] = str
    seconds: int = 1  # time precision of the export
    serial_columns: frozenset[str] = frozenset()  # datetimes written as bare Excel serials


_STYLES = {
    LINGXING: _Style(
        typed_cells=True,
        datetime_text=lambda t: t.strftime("%Y-%m-%d %H:%M:%S"),
        date_text=date.isoformat,
        money_text=lambda d: f"{d:.2f}",
        integer_text=str,
        serial_columns=frozenset({"signed_for_at"}),
    ),
    MABANG: _Style(
        typed_cells=False,
        datetime_text=lambda t: t.strftime("%Y-%m-%d %H:%M:%S"),
        date_text=date.isoformat,
        money_text=lambda d: f"¥{d:,.2f}",
        integer_text=lambda n: f"{n:,}",
    ),
    DIANXIAOMI: _Style(
        typed_cells=False,
        datetime_text=lambda t: f"{t.year}/{t.month}/{t.day} {t.hour:02d}:{t.minute:02d}",
        date_text=lambda d: f"{d.year}/{d.month}/{d.day}",
        money_text=lambda d: f"{d:.2f}",
        integer_text=str,
        id_text=lambda s: f"{s}\t",  # keeps Excel from turning 18-digit ids into 5.7E+17
        seconds=60,
    ),
}

# Header → canonical column (or an extra field the reader ignores), in file order.
_ORDER_HEADERS = {
    LINGXING: (
        ("平台单号", "platform_order_id"),
        ("系统单号", "erp_order_no"),
        ("店铺", "shop_name"),
        ("订单状态", "_status"),
        ("SKU", "_local_sku"),
        ("MSKU", "seller_sku"),
        ("品名", "_product_name"),
        ("数量", "quantity"),
        ("仓库", "warehouse"),
        ("物流商", "carrier"),
        ("跟踪号", "tracking_number"),
        ("发货时间", "shipped_at"),
        ("签收时间", "signed_for_at"),
        ("真实物流运费", "shipping_cost"),
        ("估算物流运费", "_estimated_shipping"),
        ("运费币种", "shipping_cost_currency"),
        ("采购成本", "purchase_cost"),
        ("单位头程", "first_leg_freight"),
    ),
    MABANG: (
        ("订单编号", "erp_order_no"),
        ("平台订单号", "platform_order_id"),
        ("店铺名称", "shop_name"),
        ("国家", "_region"),
        ("库存SKU", "seller_sku"),
        ("平台SKU", "_local_sku"),
        ("商品数量", "quantity"),
        ("发货仓库", "warehouse"),
        ("物流渠道", "carrier"),
        ("货运单号", "tracking_number"),
        ("付款时间", "_paid_at"),
        ("发货时间", "shipped_at"),
        ("签收时间", "signed_for_at"),
        ("实际运费", "shipping_cost"),
        ("成本价", "purchase_cost"),
        ("头程费用", "first_leg_freight"),
    ),
    DIANXIAOMI: (
        ("订单号", "platform_order_id"),
        ("包裹号", "erp_order_no"),
        ("店铺", "shop_name"),
        ("站点", "_region"),
        ("SKU", "seller_sku"),
        ("商品名称", "_product_name"),
        ("数量", "quantity"),
        ("发货仓库", "warehouse"),
        ("物流方式", "carrier"),
        ("物流单号", "tracking_number"),
        ("付款时间", "_paid_at"),
        ("发货时间", "shipped_at"),
        ("签收时间", "signed_for_at"),
        ("物流费用", "shipping_cost"),
        ("采购成本", "purchase_cost"),
        ("头程费用", "first_leg_freight"),
    ),
}
_SKU_COST_HEADERS = {
    LINGXING: (
        ("SKU", "seller_sku"),
        ("品名", "_product_name"),
        ("采购单价", "purchase_cost"),
        ("单位头程", "first_leg_freight"),
        ("币种", "currency"),
        ("生效日期", "effective_date"),
    ),
    MABANG: (
        ("库存SKU", "seller_sku"),
        ("商品名称", "_product_name"),
        ("采购均价", "purchase_cost"),
        ("头程均价", "first_leg_freight"),
        ("币种", "currency"),
        ("更新时间", "_updated_at"),
    ),
    DIANXIAOMI: (
        ("SKU", "seller_sku"),
        ("中文名称", "_product_name"),
        ("采购价", "purchase_cost"),
        ("头程运费", "first_leg_freight"),
        ("重量(g)", "_weight_grams"),
    ),
}
_INVENTORY_HEADERS = {
    LINGXING: (
        ("日期", "snapshot_date"),
        ("仓库", "warehouse"),
        ("SKU", "seller_sku"),
        ("品名", "_product_name"),
        ("可用量", "on_hand"),
        ("次品量", "_defective"),
        ("调拨在途", "in_transit"),
    ),
    MABANG: (
        ("统计日期", "snapshot_date"),
        ("库存SKU", "seller_sku"),
        ("中文名称", "_product_name"),
        ("仓库名称", "warehouse"),
        ("可用库存", "on_hand"),
        ("采购在途", "in_transit"),
    ),
    # No date column: Dianxiaomi's stock export is dated by its file name only.
    DIANXIAOMI: (
        ("SKU", "seller_sku"),
        ("商品名称", "_product_name"),
        ("仓库名称", "warehouse"),
        ("可用库存", "on_hand"),
        ("在途库存", "in_transit"),
    ),
}
_HEADERS = {
    ORDER_FULFILMENT: _ORDER_HEADERS,
    SKU_LANDED_COST: _SKU_COST_HEADERS,
    INVENTORY_SNAPSHOT: _INVENTORY_HEADERS,
}
_FILE_STEMS = {
    ORDER_FULFILMENT: "orders",
    SKU_LANDED_COST: "sku_costs",
    INVENTORY_SNAPSHOT: "inventory",
}
# Canonical columns of each kind in the reader's order (sandbox keeps no reader import).
# fmt: off
_CANONICAL = {
    ORDER_FULFILMENT: (
        "platform_order_id", "erp_order_no", "shop_name", "seller_sku", "quantity", "warehouse",
        "carrier", "tracking_number", "shipped_at", "signed_for_at", "shipping_cost",
        "shipping_cost_currency", "purchase_cost", "first_leg_freight",
    ),
    SKU_LANDED_COST: (
        "seller_sku", "purchase_cost", "first_leg_freight", "currency", "effective_date",
    ),
    INVENTORY_SNAPSHOT: ("snapshot_date", "seller_sku", "warehouse", "on_hand", "in_transit"),
}
# fmt: on


# ------------------------------------------------------------------------------ plan


@dataclass(frozen=True)
class _SkuInfo:
    seller_sku: str
    product_name: str
    purchase_cost: Decimal  # CNY per unit
    first_leg_freight: Decimal  # CNY per unit
    updated_at: datetime  # UTC


@dataclass
class _FilePlan:
    """Rows of one file before printing: canonical values plus the extra `_` fields."""

    vendor: str
    kind: str
    file_format: str
    name: str
    records: list[dict[str, object]] = field(default_factory=list)


def erp_export_truth(
    dataset: Dataset, as_of: int, *, formats: Mapping[str, str] | None = None
) -> ErpExportTruth:
    """What `write_erp_exports` writes for the same arguments, computed without writing."""
    return _plan(dataset, as_of, formats)[0]


def write_erp_exports(
    dataset: Dataset, out_dir: Path, as_of: int, *, formats: Mapping[str, str] | None = None
) -> list[Path]:
    """Orders, SKU-cost and inventory exports of every vendor with shops, into `out_dir`.

    `formats` maps a vendor to one of `FILE_FORMATS` (default `VENDOR_FORMATS`); the truth
    is `erp_export_truth(dataset, as_of, formats=formats)`.
    """
    _, plans = _plan(dataset, as_of, formats)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for plan in plans:
        path = out_dir / plan.name
        header, rows = _render(plan)
        path.write_bytes(_table_bytes(plan.file_format, header, rows, _utc(as_of)))
        paths.append(path)
    return paths


def _plan(
    dataset: Dataset, as_of: int, formats: Mapping[str, str] | None
) -> tuple[ErpExportTruth, list[_FilePlan]]:
    chosen = _formats(formats)
    seed = dataset.config.seed if dataset.config else 0
    vendor_by_shop = {s.shop_id: vendor_for_shop(s) for s in dataset.shops}
    fulfilment = _Fulfilment()
    plans: list[_FilePlan] = []
    for vendor in VENDORS:
        shops = [s for s in dataset.shops if vendor_by_shop[s.shop_id] == vendor]
        if shops:
            plans += _vendor_files(seed, vendor, chosen[vendor], dataset, shops, as_of, fulfilment)
    truth = ErpExportTruth(
        as_of=as_of,
        vendor_by_shop=vendor_by_shop,
        files=tuple(_truth_file(p) for p in plans),
        exported_orders=frozenset(fulfilment.exported),
        missing_orders=frozenset(fulfilment.missing),
        split_orders=fulfilment.split,
        late_sign_for=fulfilment.late_sign_for,
    )
    return truth, plans


def _vendor_files(
    seed: int,
    vendor: str,
    file_format: str,
    dataset: Dataset,
    shops: list[Shop],
    as_of: int,
    fulfilment: _Fulfilment,
) -> list[_FilePlan]:
    """The vendor's orders, SKU-cost and inventory files, named for the ERP's day of `as_of`."""
    day = datetime.fromtimestamp(as_of, ERP_CLOCK).date()
    suffix = "xlsx" if file_format == XLSX else "csv"
    orders, costs, stock = (
        _FilePlan(vendor, kind, file_format, f"{vendor}_{_FILE_STEMS[kind]}_{day:%Y%m%d}.{suffix}")
        for kind in KINDS
    )
    skus = _sku_infos(seed, vendor, dataset, shops, as_of)
    for shop in shops:
        for order in _shipped(dataset, shop, as_of):
            orders.records += fulfilment.add(seed, vendor, order, skus, as_of)
    costs.records = [_cost_record(vendor, sku) for sku in skus.values()]
    stock.records = _inventory_records(seed, vendor, dataset, shops, skus, day, as_of)
    return [orders, costs, stock]


def _formats(formats: Mapping[str, str] | None) -> dict[str, str]:
    chosen = {**VENDOR_FORMATS, **(formats or {})}
    for vendor, file_format in chosen.items():
        if vendor not in VENDORS or file_format not in FILE_FORMATS:
            raise ValueError(
                f"formats: {vendor!r} -> {file_format!r}; vendors are {VENDORS}, "
                f"formats {FILE_FORMATS}"
            )
    return chosen


def _shipped(dataset: Dataset, shop: Shop, as_of: int) -> list[Order]:
    shipped = [
        o for o in dataset.orders_for_shop(shop.shop_id) if o.rts_time and o.rts_time <= as_of
    ]
    return sorted(shipped, key=lambda o: (o.rts_time, o.order_id))


# ---------------------------------------------------------------------------- orders


class _Fulfilment:
    """Turns shipped TikTok orders into ERP package lines, recording every discrepancy."""

    def __init__(self) -> None:
        self.exported: set[str] = set()
        self.missing: set[str] = set()
        self.split: dict[str, tuple[str, ...]] = {}
        self.late_sign_for: dict[str, int] = {}

    def add(
        self, seed: int, vendor: str, order: Order, skus: dict[str, _SkuInfo], as_of: int
    ) -> list[dict[str, object]]:
        rng = random.Random(f"{seed}:{order.order_id}:erp")
        if rng.random() < _MISSING_RATE:
            self.missing.add(order.order_id)
            return []
        self.exported.add(order.order_id)
        packages = _packages(rng, order)
        base = f"{_ERP_ORDER_PREFIX[vendor]}{_digits(rng, 10)}"
        numbers = [base] if len(packages) == 1 else [f"{base}-{k}" for k in (1, 2)]
        if len(packages) > 1:
            self.split[order.order_id] = tuple(numbers)
        signed_for_at = self._signed_for(rng, order, as_of)
        rng.choice(_WAREHOUSES[vendor])  # drawn, so the stream stays as it was
        warehouse = stock_warehouse(order.shop)
        state = order.state_at(as_of)
        tracking = state.tracking_number if state else order.tracking_number
        records = []
        for k, (number, lines) in enumerate(zip(numbers, packages, strict=True)):
            package_tracking = tracking if k == 0 else tracking[:-8] + _digits(rng, 8)
            shipping_cost = Decimal(rng.randint(800, 6500)) / 100
            for position, (seller_sku, quantity) in enumerate(lines.items()):
                sku = skus[seller_sku]
                records.append(
                    {
                        "platform_order_id": order.order_id,
                        "erp_order_no": number,
                        "shop_name": order.shop.name,
                        "seller_sku": seller_sku,
                        "quantity": quantity,
                        "warehouse": warehouse,
                        "carrier": order.shipping_provider,
                        "tracking_number": package_tracking,
                        "shipped_at": _utc(order.rts_time),
                        "signed_for_at": signed_for_at,
                        "shipping_cost": shipping_cost if position == 0 else None,
                        "shipping_cost_currency": "CNY",
                        "purchase_cost": sku.purchase_cost,
                        "first_leg_freight": sku.first_leg_freight,
                        "_status": "已发货",
                        "_local_sku": seller_sku,
                        "_product_name": sku.product_name,
                        "_region": order.shop.region,
                        "_paid_at": _utc(order.paid_time),
                        "_estimated_shipping": (shipping_cost * Decimal("0.9")).quantize(_CENT)
                        if position == 0
                        else None,
                    }
                )
        return records

    def _signed_for(self, rng: random.Random, order: Order, as_of: int) -> datetime | None:
        """TikTok's delivery time, or up to two days later; unknown until it has happened."""
        lag = rng.randint(600, 2 * DAY) if rng.random() < _LATE_SIGN_RATE else 0
        if order.delivery_time is None or order.delivery_time + lag > as_of:
            return None
        if lag:
            self.late_sign_for[order.order_id] = lag
        return _utc(order.delivery_time + lag)


def _packages(rng: random.Random, order: Order) -> list[dict[str, int]]:
    """Quantities per seller SKU, in one package or (for some orders) split into two."""
    units: dict[str, int] = {}
    for line in order.line_items:  # one TikTok line is one unit
        units[line.seller_sku] = units.get(line.seller_sku, 0) + 1
    if sum(units.values()) < 2 or rng.random() >= _SPLIT_RATE:
        return [units]
    skus = list(units)
    if len(skus) > 1:
        return [{skus[0]: units[skus[0]]}, {s: units[s] for s in skus[1:]}]
    only, quantity = skus[0], units[skus[0]]
    return [{only: quantity - quantity // 2}, {only: quantity // 2}]


# ------------------------------------------------------------------- SKU costs, stock


def _sku_infos(
    seed: int, vendor: str, dataset: Dataset, shops: list[Shop], as_of: int
) -> dict[str, _SkuInfo]:
    """One cost per seller SKU and vendor: shops sharing a SKU code share the product."""
    prices: dict[str, tuple[str, Decimal, str]] = {}
    for shop in shops:
        for sku in dataset.catalogues.get(shop.shop_id, ()):
            prices.setdefault(sku.seller_sku, (sku.product_name, sku.original_price, shop.currency))
        for order in dataset.orders_for_shop(shop.shop_id):
            for line in order.line_items:
                prices.setdefault(
                    line.seller_sku, (line.product_name, line.original_price, shop.currency)
                )
    infos = {}
    for seller_sku in sorted(prices):
        name, price, currency = prices[seller_sku]
        rng = random.Random(f"{seed}:{vendor}:{seller_sku}:cost")
        cny_price = price * Decimal(str(_CNY_PER_UNIT.get(currency, 1.0)))
        purchase = (cny_price * Decimal(str(rng.uniform(0.18, 0.35)))).quantize(_CENT)
        if purchase <= 0:  # gifts are free to the buyer, not to the seller
            purchase = Decimal(rng.randint(150, 400)) / 100
        freight = (purchase * Decimal(str(rng.uniform(0.05, 0.15)))).quantize(_CENT)
        updated = as_of - rng.randint(DAY, 30 * DAY)
        infos[seller_sku] = _SkuInfo(seller_sku, name, purchase, freight, _utc(updated))
    return infos


def _cost_record(vendor: str, sku: _SkuInfo) -> dict[str, object]:
    updated_local = sku.updated_at.astimezone(ERP_CLOCK)
    effective = {LINGXING: updated_local.date(), MABANG: updated_local.date()}.get(vendor)
    return {
        "seller_sku": sku.seller_sku,
        "purchase_cost": sku.purchase_cost,
        "first_leg_freight": sku.first_leg_freight,
        "currency": "CNY",
        "effective_date": effective,
        "_product_name": sku.product_name,
        "_updated_at": sku.updated_at,
        "_weight_grams": 80 + len(sku.seller_sku) * 37,
    }


def _inventory_records(
    seed: int,
    vendor: str,
    dataset: Dataset,
    shops: list[Shop],
    skus: Mapping[str, _SkuInfo],
    snapshot_date: date,
    as_of: int,
) -> list[dict[str, object]]:
    """One row per stock pool of the vendor's shops: available and in-transit units at as_of.

    From the dataset's stock model (sandbox/stock.py); a hand-built dataset without one gets
    a random count per SKU and warehouse.
    """
    if dataset.stock is None:
        return _random_inventory_records(seed, vendor, skus.values(), snapshot_date)
    pools = sorted(
        {dataset.stock.pool(shop.shop_id, s) for shop in shops for s in _shop_skus(dataset, shop)}
    )
    records = []
    for warehouse, seller_sku in pools:
        level = dataset.stock.level_at((warehouse, seller_sku), as_of)
        rng = random.Random(f"{seed}:{vendor}:{seller_sku}:{warehouse}:stock")
        records.append(
            {
                "snapshot_date": snapshot_date,
                "seller_sku": seller_sku,
                "warehouse": warehouse,
                "on_hand": level.on_hand,
                "in_transit": level.in_transit,
                "_product_name": skus[seller_sku].product_name,
                "_defective": rng.randint(0, 3),
            }
        )
    return records


def _shop_skus(dataset: Dataset, shop: Shop) -> set[str]:
    return {sku.seller_sku for sku in dataset.catalogues.get(shop.shop_id, ())}


def _random_inventory_records(
    seed: int, vendor: str, skus: Iterable[_SkuInfo], snapshot_date: date
) -> list[dict[str, object]]:
    records = []
    for warehouse in _WAREHOUSES[vendor]:
        for sku in skus:
            rng = random.Random(f"{seed}:{vendor}:{sku.seller_sku}:{warehouse}:stock")
            on_hand = 0 if rng.random() < 0.1 else rng.randint(1, 2500)
            in_transit = rng.randint(50, 800) if rng.random() < 0.3 else 0
            records.append(
                {
                    "snapshot_date": snapshot_date,
                    "seller_sku": sku.seller_sku,
                    "warehouse": warehouse,
                    "on_hand": on_hand,
                    "in_transit": in_transit,
                    "_product_name": sku.product_name,
                    "_defective": rng.randint(0, 3),
                }
            )
    return records


# --------------------------------------------------------------------- truth, printing


def _truth_file(plan: _FilePlan) -> ErpExportFile:
    style = _STYLES[plan.vendor]
    rows = []
    for number, record in enumerate(plan.records, start=2):
        row = {name: _as_printed(record[name], style) for name in _CANONICAL[plan.kind]}
        row["source_row"] = number
        row["source_sheet"] = _SHEET if plan.file_format == XLSX else None
        rows.append(row)
    return ErpExportFile(plan.name, plan.vendor, plan.kind, plan.file_format, tuple(rows))


def _as_printed(value: object, style: _Style) -> object:
    """A canonical value as the vendor's export can carry it: times cut to its precision."""
    if isinstance(value, datetime):
        seconds = int(value.timestamp())
        return _utc(seconds - seconds % style.seconds)
    return value


def _render(plan: _FilePlan) -> tuple[list[str], list[list[object]]]:
    style = _STYLES[plan.vendor]
    columns = _HEADERS[plan.kind][plan.vendor]
    workbook = plan.file_format == XLSX
    rows = [
        [_cell(record.get(name), name, style, workbook) for _, name in columns]
        for record in plan.records
    ]
    return [header for header, _ in columns], rows


def _cell(value: object, name: str, style: _Style, workbook: bool) -> object:
    """One value as the vendor prints it: typed in a Lingxing workbook, text elsewhere."""
    typed = workbook and style.typed_cells
    if value is None:
        return None if workbook else ""
    if isinstance(value, datetime):
        local = value.astimezone(ERP_CLOCK).replace(tzinfo=None)
        if typed and name in style.serial_columns:
            return (local - _EXCEL_EPOCH) / timedelta(days=1)
        return local if typed else style.datetime_text(local)
    if isinstance(value, date):
        return value if typed else style.date_text(value)
    if isinstance(value, Decimal):
        return value if typed else style.money_text(value)
    if isinstance(value, int):
        return value if typed else style.integer_text(value)
    if name in ("platform_order_id", "erp_order_no", "tracking_number"):
        return style.id_text(str(value))
    return value


def _table_bytes(
    file_format: str, header: list[str], rows: list[list[object]], written_at: datetime | None
) -> bytes:
    """The file's bytes; CSVs quote where needed and end lines with CRLF, as Excel does."""
    if file_format == XLSX:
        return _xlsx_bytes(header, rows, written_at or datetime(2026, 1, 1, tzinfo=UTC))
    encoding = "utf-8-sig" if file_format == CSV_UTF8_BOM else "gb18030"
    return _csv_text(header, rows).encode(encoding)


def _xlsx_bytes(header: list[str], rows: list[list[object]], written_at: datetime) -> bytes:
    """A workbook whose bytes depend only on its content and `written_at`.

    openpyxl stamps the document properties and every zip member with the current time;
    both are pinned so the same dataset always gives the same file (and SHA-256).
    """
    workbook = openpyxl.Workbook()
    workbook.properties.created = workbook.properties.modified = written_at.replace(tzinfo=None)
    sheet = workbook.active
    sheet.title = _SHEET
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    # Not `workbook.save`: it re-stamps `modified` with the wall clock (to the second), so two
    # writes a second apart would differ. The writer underneath keeps the pinned time.
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(workbook, archive).save()
    return _pin_zip_times(buffer.getvalue(), written_at)


def _pin_zip_times(data: bytes, written_at: datetime) -> bytes:
    stamp = written_at.astimezone(ERP_CLOCK).timetuple()[:6]
    pinned = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(pinned, "w") as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = info.compress_type
            target.writestr(member, source.read(info))
    return pinned.getvalue()


def _utc(unix_seconds: int | None) -> datetime | None:
    return None if unix_seconds is None else datetime.fromtimestamp(unix_seconds, UTC)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(n))


# ----------------------------------------------------------------------- broken files


@dataclass(frozen=True)
class BrokenErpFile:
    """A file the reader must reject, and where its error must point.

    `row` and `column` (the header as written) are None for file-level problems;
    `message_part` is a phrase the problem's message contains.
    """

    case: str
    path: Path
    row: int | None
    column: str | None
    message_part: str


def write_broken_erp_files(dataset: Dataset, out_dir: Path, as_of: int) -> list[BrokenErpFile]:
    """One broken file per failure the reader must explain, built from real sample rows.

    All are Dianxiaomi order exports (whatever vendors the shops use) damaged in one way
    each; cell damage sits in the second data row, spreadsheet row 3.
    """
    plans = _plan(dataset, as_of, None)[1]
    template = next((p for p in plans if p.kind == ORDER_FULFILMENT and p.records), None)
    if template is None:
        raise ValueError("no shipped orders by as_of to build broken ERP files from")
    header, rows = _render(
        _FilePlan(DIANXIAOMI, ORDER_FULFILMENT, CSV_UTF8_BOM, "", template.records[:5])
    )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    utf8_csv = _table_bytes(CSV_UTF8_BOM, header, rows, _utc(as_of))
    workbook = _table_bytes(XLSX, header, rows, _utc(as_of))
    quantity = header.index("数量")
    without_quantity = [[c for i, c in enumerate(r) if i != quantity] for r in [header, *rows]]
    latin1 = _csv_text(header, _with_cell(header, rows, "店铺", 0, "Café")).split("Café", 1)
    files = {
        "utf16": ("broken_utf16.csv", _csv_text(header, rows).encode("utf-16")),
        # Latin-1 `é` before a comma is invalid UTF-8 and an illegal GB18030 sequence too.
        "latin1": (
            "broken_latin1.csv",
            latin1[0].encode() + "Café".encode("latin-1") + latin1[1].encode(),
        ),
        "missing_column": (
            "broken_missing_column.csv",
            _table_bytes(CSV_UTF8_BOM, without_quantity[0], without_quantity[1:], _utc(as_of)),
        ),
        "renamed_csv_xlsx": ("broken_renamed_csv.xlsx", utf8_csv),
        "truncated_xlsx": ("broken_truncated.xlsx", workbook[: len(workbook) // 2]),
        "empty": ("broken_empty.csv", b""),
        "no_header": ("broken_no_header.csv", "\ufeff\r\n,,,\r\n \r\n".encode()),
        "unsupported_extension": ("broken_orders.txt", utf8_csv),
    }
    for case, (column, _, value, _) in _BROKEN_CELLS.items():
        changed = _with_cell(header, rows, column, 1, value)
        files[case] = (f"broken_{case}.csv", _table_bytes(CSV_GB18030, header, changed, None))
    broken = []
    for case, (name, data) in files.items():
        (out / name).write_bytes(data)
        row, column, phrase = _BROKEN_EXPECTED[case]
        broken.append(BrokenErpFile(case, out / name, row, column, phrase))
    return broken


# case -> (header, canonical column, bad value, phrase of the error) for one damaged cell
_BROKEN_CELLS = {
    "bad_money": ("物流费用", "shipping_cost", "约15元", "not a money amount"),
    "bad_integer": ("数量", "quantity", "两件", "not a whole number"),
    "bad_date": ("发货时间", "shipped_at", "2026/13/45 10:00", "not a valid date"),
    "required_empty": ("SKU", "seller_sku", "", "required but the cell is empty"),
    "zero_quantity": ("数量", "quantity", "0", "below its minimum of 1"),
    "negative_quantity": ("数量", "quantity", "-2", "below its minimum of 1"),
    "negative_cost": ("采购成本", "purchase_cost", "-12.50", "below its minimum of 0"),
    "signed_before_shipped": ("签收时间", "signed_for_at", "2020/1/1 10:00", "before shipped_at"),
    "nul_in_sku": ("SKU", "seller_sku", "SKU\x00-1", "U+0000 (NUL)"),
    "control_in_sku": ("SKU", "seller_sku", "SKU\x1b-1", "U+001B"),
    "formula_injection": ("物流方式", "carrier", "=cmd|' /C calc'!A0", "formula injection"),
    "formula_after_tab": ("物流方式", "carrier", "\t@SUM(9*9)", "formula injection"),
}
# case -> (row, column as the problem names it, phrase of the error)
_BROKEN_EXPECTED: dict[str, tuple[int | None, str | None, str]] = {
    "utf16": (None, None, "UTF-16"),
    "latin1": (None, None, "neither UTF-8"),
    "missing_column": (1, "数量 (quantity)", "required column missing"),
    "renamed_csv_xlsx": (None, None, "not an .xlsx workbook"),
    "truncated_xlsx": (None, None, "not a readable .xlsx workbook"),
    "empty": (None, None, "empty"),
    "no_header": (None, None, "no header row"),
    "unsupported_extension": (None, None, "unsupported file type"),
    **{
        case: (3, f"{header} ({canonical})", phrase)
        for case, (header, canonical, _, phrase) in _BROKEN_CELLS.items()
    },
}
BROKEN_CASES = tuple(_BROKEN_EXPECTED)


def _csv_text(header: list[str], rows: list[list[object]]) -> str:
    text = io.StringIO(newline="")
    csv.writer(text).writerows([header, *rows])
    return text.getvalue()


def _with_cell(
    header: list[str], rows: list[list[object]], column: str, row_index: int, value: str
) -> list[list[object]]:
    changed = [list(r) for r in rows]
    changed[row_index][header.index(column)] = value
    return changed
