"""Seeded world model behind the TikTok Shop sandbox: shops, catalogues, buyers and orders.

Every order carries its whole life as a timeline of Unix-second events, so one generated
dataset can be shown "as of" any moment: the API answers from `Order.api_view(as_of)` and
the ground truth reads the same timeline. Orders are generated per (seed, shop, UTC day)
with their own random stream, so a day's orders never depend on the window around it;
then the stock model (sandbox/stock.py) adds each shop's viral-SKU spike and removes the
orders a stock-out makes impossible, which does depend on the window.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from sandbox.stock import StockModel

UNPAID = "UNPAID"
ON_HOLD = "ON_HOLD"
AWAITING_SHIPMENT = "AWAITING_SHIPMENT"
PARTIALLY_SHIPPING = "PARTIALLY_SHIPPING"
AWAITING_COLLECTION = "AWAITING_COLLECTION"
IN_TRANSIT = "IN_TRANSIT"
DELIVERED = "DELIVERED"
COMPLETED = "COMPLETED"
CANCELLED = "CANCELLED"
ORDER_STATUSES = (
    UNPAID,
    ON_HOLD,
    AWAITING_SHIPMENT,
    PARTIALLY_SHIPPING,
    AWAITING_COLLECTION,
    IN_TRANSIT,
    DELIVERED,
    COMPLETED,
    CANCELLED,
)

ZERO = Decimal(0)
HOUR = 3600
DAY = 86400


# --------------------------------------------------------------------------- shops


@dataclass(frozen=True)
class Shop:
    """An authorized shop; `currency` and `time_zone` are not API fields but drive the data."""

    shop_id: str
    name: str
    region: str
    seller_type: str
    cipher: str
    code: str
    currency: str
    time_zone: str

    def api_view(self) -> dict:
        """The shop as `GET /authorization/202309/shops` lists it."""
        return {
            "id": self.shop_id,
            "name": self.name,
            "region": self.region,
            "seller_type": self.seller_type,
            "cipher": self.cipher,
            "code": self.code,
        }


# Fixed ids so tests, configs and docs can name shops; they do not depend on the seed.
# fmt: off
SHOPS: tuple[Shop, ...] = (
    Shop("7495836102748193021", "LinkStar Home US", "US", "CROSS_BORDER",
         "GCP_e3Vn2QAAAAB8kRq1sW0dY5hTzP9uLmXc", "USLCHOME7K2", "USD", "America/Los_Angeles"),
    Shop("7495836102748193022", "LinkStar Beauty US", "US", "LOCAL",
         "GCP_f7Qm4RAAAADx2LpWn8Vb3ZeK1oJyHa6T", "USLCBEAU3Q9", "USD", "America/Los_Angeles"),
    Shop("7494127735603349011", "LinkStar Home UK", "GB", "CROSS_BORDER",
         "ROW_k1PzYgAAAACq9HbT3mRx7WvN2dLsUe0F", "GBLCHOME5M1", "GBP", "Europe/London"),
    Shop("7494127735603349012", "LinkStar Fashion ID", "ID", "LOCAL",
         "ROW_p8ZcLwAAAAD4nEj6tKy1QsGo9VfXb2Ra", "IDLCFASH8P4", "IDR", "Asia/Jakarta"),
    Shop("7494127735603349013", "LinkStar Gadgets TH", "TH", "CROSS_BORDER",
         "ROW_w2TbNkAAAABm5Rc8yHq0LzDs3UgJf7Ve", "THLCGADG2X6", "THB", "Asia/Bangkok"),
    Shop("7494127735603349014", "LinkStar Beauty UK", "GB", "LOCAL",
         "ROW_b5KdRtAAAAC1mXq7wVz3HnLp8JsYe4Tc", "GBLCBEAU6R2", "GBP", "Europe/London"),
    Shop("7494127735603349015", "LinkStar Home ID", "ID", "CROSS_BORDER",
         "ROW_h3NwQzAAAAD9pLk2vTy6RcMx1BgFu8Ws", "IDLCHOME4N7", "IDR", "Asia/Jakarta"),
    Shop("7494127735603349016", "LinkStar Beauty MY", "MY", "CROSS_BORDER",
         "ROW_m7YcHsAAAABz4Vn9qKw2TdLe6RjPx3Ga", "MYLCBEAU1K8", "MYR", "Asia/Kuala_Lumpur"),
    Shop("7494127735603349017", "LinkStar Gadgets PH", "PH", "CROSS_BORDER",
         "ROW_p2QxTjAAAAC6kBw8nFy4ZsHm3VdRe9Lu", "PHLCGADG7T3", "PHP", "Asia/Manila"),
    Shop("7494127735603349018", "LinkStar Fashion VN", "VN", "CROSS_BORDER",
         "ROW_v9LsGbAAAAD3rNc5mWx8KqTy2HzJd6Pf", "VNLCFASH2W5", "VND", "Asia/Ho_Chi_Minh"),
    Shop("7494127735603349019", "LinkStar Home SG", "SG", "CROSS_BORDER",
         "ROW_s4FkWpAAAABn8Tz1xLq5YcRv7MhGe2Nb", "SGLCHOME9D1", "SGD", "Asia/Singapore"),
    Shop("7495836102748193023", "LinkStar Home MX", "MX", "CROSS_BORDER",
         "GCP_x6DmPvAAAAC2hYt4kRz9WnBq5LsJc8Fe", "MXLCHOME3H6", "MXN", "America/Mexico_City"),
)
# fmt: on

# Relative size of each shop, so shop totals differ without changing the configured mean much.
_SHOP_SCALE = {
    "7495836102748193021": 1.3,
    "7495836102748193022": 0.8,
    "7494127735603349011": 1.0,
    "7494127735603349012": 1.2,
    "7494127735603349013": 0.7,
    "7494127735603349014": 0.6,
    "7494127735603349015": 0.9,
    "7494127735603349016": 0.7,
    "7494127735603349017": 0.8,
    "7494127735603349018": 1.1,
    "7494127735603349019": 0.4,
    "7495836102748193023": 0.5,
}
_SHOP_THEME = {
    "7495836102748193021": "home",
    "7495836102748193022": "beauty",
    "7494127735603349011": "home",
    "7494127735603349012": "fashion",
    "7494127735603349013": "gadgets",
    "7494127735603349014": "beauty",
    "7494127735603349015": "home",
    "7494127735603349016": "beauty",
    "7494127735603349017": "gadgets",
    "7494127735603349018": "fashion",
    "7494127735603349019": "home",
    "7495836102748193023": "home",
}


# ----------------------------------------------------------------------- money helpers

_CENT = Decimal("0.01")


# Currencies priced in whole units on TikTok Shop, and the step prices are rounded to.
_WHOLE_UNIT_STEP = {"IDR": Decimal(100), "VND": Decimal(1000)}


def quantize_money(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's smallest unit used on TikTok Shop (IDR 100s, VND 1000s)."""
    step = _WHOLE_UNIT_STEP.get(currency)
    if step is not None:
        return (amount / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
    return amount.quantize(_CENT, rounding=ROUND_HALF_UP)


def money_str(amount: Decimal, currency: str) -> str:
    """Decimal string as the API sends money: IDR/VND without decimals, others with two."""
    return f"{amount:.0f}" if currency in _WHOLE_UNIT_STEP else f"{amount:.2f}"


# ------------------------------------------------------------------- catalogue, buyers


@dataclass(frozen=True)
class Sku:
    """One sellable SKU; `original_price` is the list price before any discount."""

    sku_id: str
    product_id: str
    product_name: str
    seller_sku: str
    original_price: Decimal
    is_gift: bool = False


@dataclass(frozen=True)
class Buyer:
    """Fake but realistic buyer PII; the recipient is the buyer."""

    user_id: str
    email: str
    name: str
    phone_number: str
    full_address: str
    region_code: str
    postal_code: str

    def pii_values(self) -> set[str]:
        return {self.user_id, self.email, self.name, self.phone_number, self.full_address}


@dataclass(frozen=True)
class LineItem:
    """One unit of one SKU: the API has no quantity field, two units are two lines."""

    id: str
    sku_id: str
    product_id: str
    product_name: str
    seller_sku: str
    original_price: Decimal
    seller_discount: Decimal = ZERO
    platform_discount: Decimal = ZERO
    is_gift: bool = False

    @property
    def sale_price(self) -> Decimal:
        return self.original_price - self.seller_discount - self.platform_discount


# ------------------------------------------------------------------------------ orders


@dataclass(frozen=True)
class OrderState:
    """What the API shows of an order at one moment; times absent until they happen."""

    status: str
    update_time: int
    times: dict[str, int]
    tracking_number: str | None


# Life-cycle events in order, with the API time field each one fills (None: no field).
_EVENT_FIELDS = (
    ("create", "create_time"),
    ("paid", "paid_time"),
    ("hold_release", None),
    ("partial_ship", None),
    ("rts", "rts_time"),
    ("collection", "collection_time"),
    ("delivery", "delivery_time"),
    ("completion", None),
    ("cancel", "cancel_time"),
    ("touch", None),
)
_EVENT_API_FIELD = dict(_EVENT_FIELDS)
_STATUS_AFTER = {
    "create": UNPAID,
    "hold_release": AWAITING_SHIPMENT,
    "partial_ship": PARTIALLY_SHIPPING,
    "rts": AWAITING_COLLECTION,
    "collection": IN_TRANSIT,
    "delivery": DELIVERED,
    "completion": COMPLETED,
    "cancel": CANCELLED,
}


@dataclass(frozen=True)
class Order:
    """An order and its full timeline (Unix seconds); the API view is derived per `as_of`.

    `hold_release_time` is set for US orders only: from payment until then the order is
    ON_HOLD (the buyer's cancellation window) and the address is hidden. `touch_time` is a
    non-status update (the tracking number is corrected) that only moves `update_time`.
    `partial_ship_time`: the first of two packages left (PARTIALLY_SHIPPING until `rts_time`,
    when the last one is ready). A cancellation may come after shipment (never after
    delivery): a buyer cancelling before collection, refusing a cash-on-delivery parcel or a
    delivery that failed and went back to the seller.
    """

    order_id: str
    shop: Shop
    create_time: int
    line_items: tuple[LineItem, ...]
    buyer: Buyer
    shipping_fee: Decimal = ZERO
    original_shipping_fee: Decimal | None = None
    tax: Decimal = ZERO
    paid_time: int | None = None
    hold_release_time: int | None = None
    partial_ship_time: int | None = None
    rts_time: int | None = None
    collection_time: int | None = None
    delivery_time: int | None = None
    completion_time: int | None = None
    cancel_time: int | None = None
    cancel_reason: str = ""
    cancellation_initiator: str = ""
    touch_time: int | None = None
    tracking_number: str = ""
    corrected_tracking_number: str = ""
    shipping_provider: str = ""
    payment_method_name: str = ""
    is_cod: bool = False
    fulfillment_type: str = "FULFILLMENT_BY_SELLER"
    warehouse_id: str = ""
    # Order-level vouchers on top of the lines' discounts: in the payment block's
    # seller_discount / platform_discount and off its sub_total, on no line.
    seller_voucher: Decimal = ZERO
    platform_voucher: Decimal = ZERO

    def __post_init__(self) -> None:
        chain = [
            self.create_time,
            self.paid_time,
            self.hold_release_time,
            self.partial_ship_time,
            self.rts_time,
            self.collection_time,
            self.delivery_time,
            self.completion_time,
        ]
        present = [t for t in chain if t is not None]
        if present != sorted(present):
            raise ValueError(f"order {self.order_id}: event times out of order {chain}")
        cancel = self.cancel_time
        if cancel is not None and (
            self.delivery_time is not None or cancel < (self.paid_time or self.create_time)
        ):
            raise ValueError(
                f"order {self.order_id}: cancel must come after creation or payment and before delivery"
            )
        if not self.line_items:
            raise ValueError(f"order {self.order_id}: an order needs at least one line item")

    # -- money (the generator's own model; the API view only formats it)

    @property
    def currency(self) -> str:
        return self.shop.currency

    @property
    def original_total_product_price(self) -> Decimal:
        return sum((li.original_price for li in self.line_items), ZERO)

    @property
    def seller_discount(self) -> Decimal:
        return sum((li.seller_discount for li in self.line_items), self.seller_voucher)

    @property
    def platform_discount(self) -> Decimal:
        return sum((li.platform_discount for li in self.line_items), self.platform_voucher)

    @property
    def sub_total(self) -> Decimal:
        """What the buyer pays for the products: the lines' sale prices less the vouchers."""
        lines = sum((li.sale_price for li in self.line_items), ZERO)
        return lines - self.seller_voucher - self.platform_voucher

    @property
    def total_amount(self) -> Decimal:
        return self.sub_total + self.shipping_fee + self.tax

    @property
    def units(self) -> int:
        return sum(1 for li in self.line_items if not li.is_gift)

    # -- timeline

    @cached_property
    def events(self) -> tuple[tuple[int, str], ...]:
        """(time, event) pairs in time order; ties keep life-cycle order.

        Nothing happens after a cancellation, so later events (a hold release) are dropped.
        """
        end = self.cancel_time
        present = [
            (t, rank, name)
            for rank, (name, _) in enumerate(_EVENT_FIELDS)
            if (t := getattr(self, f"{name}_time")) is not None
        ]
        return tuple(
            (t, name)
            for t, _, name in sorted(present)
            if end is None or t < end or name == "cancel"
        )

    def state_at(self, as_of: int) -> OrderState | None:
        """Status, update_time and visible times at `as_of`; None before the order exists."""
        if self.create_time > as_of:
            return None
        status = UNPAID
        times: dict[str, int] = {}
        update_time = self.create_time
        tracking: str | None = None
        for t, name in self.events:
            if t > as_of:
                break
            update_time = t
            status = self._status_after(name, status)
            api_field = _EVENT_API_FIELD[name]
            if api_field:
                times[api_field] = t
            if name == "rts":
                tracking = self.tracking_number
            elif name == "touch" and tracking is not None:
                tracking = self.corrected_tracking_number or self.tracking_number
        return OrderState(
            status=status, update_time=update_time, times=times, tracking_number=tracking
        )

    def _status_after(self, event: str, current: str) -> str:
        if event == "paid":
            return ON_HOLD if self.hold_release_time is not None else AWAITING_SHIPMENT
        return _STATUS_AFTER.get(event, current)

    def api_view(self, as_of: int) -> dict | None:
        """The 202309 order object as search/detail return it at `as_of` (JSON-ready)."""
        state = self.state_at(as_of)
        if state is None:
            return None
        view: dict = {
            "id": self.order_id,
            "status": state.status,
            "create_time": self.create_time,
            "update_time": state.update_time,
        }
        for name in ("paid_time", "rts_time", "collection_time", "delivery_time", "cancel_time"):
            if name in state.times:
                view[name] = state.times[name]
        if state.status == CANCELLED:
            view["cancel_reason"] = self.cancel_reason
            view["cancellation_initiator"] = self.cancellation_initiator
        view["payment"] = self._payment_view()
        view["line_items"] = [self._line_view(li, state.status) for li in self.line_items]
        view["buyer_email"] = self.buyer.email
        view["user_id"] = self.buyer.user_id
        if state.status not in (UNPAID, ON_HOLD):
            view["recipient_address"] = {
                "name": self.buyer.name,
                "phone_number": self.buyer.phone_number,
                "full_address": self.buyer.full_address,
                "region_code": self.buyer.region_code,
                "postal_code": self.buyer.postal_code,
            }
        view["shipping_provider"] = self.shipping_provider
        if state.tracking_number is not None:
            view["tracking_number"] = state.tracking_number
        view["fulfillment_type"] = self.fulfillment_type
        view["warehouse_id"] = self.warehouse_id
        view["payment_method_name"] = self.payment_method_name
        view["is_cod"] = self.is_cod
        return view

    def _payment_view(self) -> dict:
        cur = self.currency
        original_shipping = (
            self.shipping_fee if self.original_shipping_fee is None else self.original_shipping_fee
        )
        amounts = {
            "sub_total": self.sub_total,
            "shipping_fee": self.shipping_fee,
            "seller_discount": self.seller_discount,
            "platform_discount": self.platform_discount,
            "tax": self.tax,
            "total_amount": self.total_amount,
            "original_total_product_price": self.original_total_product_price,
            "original_shipping_fee": original_shipping,
        }
        return {"currency": cur, **{k: money_str(v, cur) for k, v in amounts.items()}}

    def _line_view(self, li: LineItem, status: str) -> dict:
        cur = self.currency
        view = {
            "id": li.id,
            "sku_id": li.sku_id,
            "product_id": li.product_id,
            "product_name": li.product_name,
            "seller_sku": li.seller_sku,
            "sale_price": money_str(li.sale_price, cur),
            "original_price": money_str(li.original_price, cur),
            "seller_discount": money_str(li.seller_discount, cur),
            "platform_discount": money_str(li.platform_discount, cur),
            "currency": cur,
            "display_status": status,
            "is_gift": li.is_gift,
        }
        if status == CANCELLED:
            view["cancel_reason"] = self.cancel_reason
        return view


# ----------------------------------------------------------------------------- dataset


@dataclass(frozen=True)
class DatasetConfig:
    """Dates are UTC calendar days, both inclusive."""

    seed: int
    start_date: date
    end_date: date
    orders_per_shop_day: int = 40
    shop_count: int | None = None  # the first N shops of SHOPS; None: all of them
    # UTC days before `start_date` that also have orders (history: `Dataset.history_orders`).
    history_days: int = 0

    def __post_init__(self) -> None:
        if self.history_days < 0:
            raise ValueError("history_days must be >= 0")
        if self.start_date > self.end_date:
            raise ValueError(f"start_date {self.start_date} is after end_date {self.end_date}")
        if self.orders_per_shop_day < 0:
            raise ValueError("orders_per_shop_day must be >= 0")
        if self.shop_count is not None and not 1 <= self.shop_count <= len(SHOPS):
            raise ValueError(
                f"shop_count must be between 1 and {len(SHOPS)}, got {self.shop_count}"
            )

    def shops(self) -> list[Shop]:
        return list(SHOPS[: self.shop_count])

    def days(self) -> list[date]:
        n = (self.end_date - self.start_date).days + 1
        return [self.start_date + timedelta(days=i) for i in range(n)]

    def history(self) -> list[date]:
        """The `history_days` UTC days right before `start_date`, oldest first."""
        return [self.start_date - timedelta(days=n) for n in range(self.history_days, 0, -1)]

    @property
    def window_start(self) -> int:
        """Unix seconds of `start_date` 00:00 UTC: where a client's loaded history begins."""
        start = self.start_date
        return int(datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp())


@dataclass
class Dataset:
    """Shops and orders; also built by hand in tests (config and catalogues optional)."""

    shops: list[Shop]
    orders: list[Order]
    config: DatasetConfig | None = None
    catalogues: dict[str, tuple[Sku, ...]] = field(default_factory=dict)
    # Stock per seller SKU (sandbox/stock.py); None for datasets built by hand.
    stock: StockModel | None = None
    # Orders created before the window (`DatasetConfig.history_days`): served by the orders
    # API and given after-sales like any order, but not part of the window's other sources
    # (stock, content, ERP, finance, service), which start with the window.
    history_orders: list[Order] = field(default_factory=list)

    @cached_property
    def _by_shop(self) -> dict[str, list[Order]]:
        index: dict[str, list[Order]] = {s.shop_id: [] for s in self.shops}
        for order in self.orders:
            index.setdefault(order.shop.shop_id, []).append(order)
        return index

    @cached_property
    def _by_id(self) -> dict[str, Order]:
        return {o.order_id: o for o in self.served_orders}

    @cached_property
    def _served_by_shop(self) -> dict[str, list[Order]]:
        index: dict[str, list[Order]] = {s.shop_id: [] for s in self.shops}
        for order in self.served_orders:
            index.setdefault(order.shop.shop_id, []).append(order)
        return index

    @property
    def served_orders(self) -> list[Order]:
        """Every order the orders API knows: the window's and the history's."""
        return self.history_orders + self.orders

    def shop_by_cipher(self, cipher: str) -> Shop | None:
        return next((s for s in self.shops if s.cipher == cipher), None)

    def orders_for_shop(self, shop_id: str) -> list[Order]:
        return self._by_shop.get(shop_id, [])

    def served_orders_for_shop(self, shop_id: str) -> list[Order]:
        return self._served_by_shop.get(shop_id, [])

    def order_by_id(self, order_id: str) -> Order | None:
        return self._by_id.get(order_id)

    def pii_values(self) -> set[str]:
        """Every buyer PII string that appears in any order (for leak checks downstream)."""
        values: set[str] = set()
        for order in self.orders:
            values |= order.buyer.pii_values()
        return values


def generate_dataset(config: DatasetConfig) -> Dataset:
    """All shops' orders for the configured UTC days, sorted by (create_time, id)."""
    from sandbox import stock  # it builds on this module's types
    from sandbox.erp_exports import stock_warehouse

    shops = config.shops()
    days = config.days()
    catalogues = {s.shop_id: _catalogue(config.seed, s) for s in shops}
    candidates: list[Order] = []
    viral_by_shop: dict[str, Sku] = {}
    viral_ids: set[str] = set()
    for index, shop in enumerate(shops):
        pool = _buyer_pool(config.seed, shop)
        catalogue = catalogues[shop.shop_id]
        for day in days:
            candidates.extend(_orders_for_shop_day(config, shop, index, day, catalogue, pool))
        viral = stock.viral_sku(config.seed, shop, catalogue)
        if viral is None or config.orders_per_shop_day == 0:
            continue
        viral_by_shop[shop.shop_id] = viral
        daily = config.orders_per_shop_day * _SHOP_SCALE.get(shop.shop_id, 1.0)
        extra = stock.viral_orders(
            config.seed,
            shop,
            index,
            days,
            daily,
            viral,
            lambda rng, order_id, t, shop=shop, viral=viral, pool=pool: _make_order(
                rng, shop, order_id, t, (viral,), pool
            ),
        )
        viral_ids |= {o.order_id for o in extra}
        candidates.extend(extra)
    candidates = [_with_order_cases(config.seed, order) for order in candidates]
    warehouses = {shop.shop_id: stock_warehouse(shop) for shop in shops}
    model, orders = stock.simulate(
        config.seed, days, catalogues, warehouses, candidates, viral_by_shop, frozenset(viral_ids)
    )
    history = _history_orders(config, shops, catalogues)
    return Dataset(
        shops=shops,
        orders=orders,
        config=config,
        catalogues=catalogues,
        stock=model,
        history_orders=history,
    )


# History days the sandbox serves by default (SandboxSettings.history_days): enough for an order
# placed before the window to be completed before it and refunded inside it (late refunds
# come 4–38 days after the order).
HISTORY_DAYS = 35
# Pre-window days are generated at this share of the configured volume (sandbox choice): what
# matters of them is the tail of their lives that lands inside the window, and a full volume
# would double what every test loads.
_HISTORY_VOLUME = 0.2


def _history_orders(
    config: DatasetConfig, shops: list[Shop], catalogues: dict[str, tuple[Sku, ...]]
) -> list[Order]:
    """Orders created on the history days before the window, whose deliveries, completions,
    cancellations and refunds still land inside it (a client that loads by update time gets
    them; one that drops orders created before its first day loses those events). Outside the
    stock model: the window's opening stock is already net of them."""
    volume = round(config.orders_per_shop_day * _HISTORY_VOLUME)
    thinned = replace(config, orders_per_shop_day=volume)
    orders = []
    for index, shop in enumerate(shops):
        pool = _buyer_pool(config.seed, shop)
        for day in config.history():
            orders += _orders_for_shop_day(
                thinned, shop, index, day, catalogues[shop.shop_id], pool
            )
    orders = [_with_order_cases(config.seed, order) for order in orders]
    return sorted(orders, key=lambda o: (o.create_time, o.order_id))


# Fulfilment after shipment (issue 15), in the South-East Asian markets, where cash on delivery
# and failed deliveries are common (sandbox choice: elsewhere none, so the other markets' data
# stay as they were): of their shipped orders, this share fails after shipment, and this share
# of their multi-line orders ships in two packages (PARTIALLY_SHIPPING in between).
_SEA_MARKETS = frozenset({"ID", "TH", "MY", "PH", "VN", "SG"})
_FAILED_AFTER_SHIPMENT_RATE = 0.06
_PARTIAL_SHIPMENT_RATE = 0.15
COD_REFUSED = "Buyer refused the cash-on-delivery parcel"
DELIVERY_FAILED = "Delivery failed, parcel returned to seller"
CANCELLED_AFTER_SHIPMENT = "Buyer cancelled after the parcel was shipped"


# Order-level vouchers (issue 15), every market, each from the order's own random stream: a
# seller voucher on this share of orders (5–15% of the lines' sale prices) and a platform
# voucher on this share (3–10%), alone or together.
_SELLER_VOUCHER_RATE = 0.12
_PLATFORM_VOUCHER_RATE = 0.10


def _with_order_cases(seed: int, order: Order) -> Order:
    """The order with its vouchers and fulfilment case, if it draws any."""
    return _with_fulfilment_case(seed, _with_vouchers(seed, order))


def _with_vouchers(seed: int, order: Order) -> Order:
    lines = sum((li.sale_price for li in order.line_items), ZERO)
    rng = random.Random(f"{seed}:{order.order_id}:voucher")
    seller = rng.random() < _SELLER_VOUCHER_RATE
    platform = rng.random() < _PLATFORM_VOUCHER_RATE
    if not lines or not (seller or platform):
        return order
    cur = order.currency
    return replace(
        order,
        seller_voucher=quantize_money(lines * rng.randint(5, 15) / 100, cur) if seller else ZERO,
        platform_voucher=quantize_money(lines * rng.randint(3, 10) / 100, cur)
        if platform
        else ZERO,
    )


def _with_fulfilment_case(seed: int, order: Order) -> Order:
    """The order, or its version that fails after shipment or ships in two packages, drawn
    from the order's own random stream so no other order changes."""
    if order.shop.region not in _SEA_MARKETS or order.rts_time is None:
        return order
    rng = random.Random(f"{seed}:{order.order_id}:fulfilment")
    u = rng.random()
    if u < _FAILED_AFTER_SHIPMENT_RATE:
        return _failed_after_shipment(rng, order)
    if u < _FAILED_AFTER_SHIPMENT_RATE + _PARTIAL_SHIPMENT_RATE and len(order.line_items) > 1:
        ready = order.hold_release_time or order.paid_time or order.create_time
        first = ready + (order.rts_time - ready) * rng.randint(20, 60) // 100
        return replace(order, partial_ship_time=first)
    return order


def _failed_after_shipment(rng: random.Random, order: Order) -> Order:
    """Cancelled after shipment, never delivered (nor completed): a refused COD parcel (at
    the delivery attempt), a failed delivery sent back (1–3 days later) or, before the
    carrier collected it, a buyer's cancellation."""
    assert order.rts_time is not None and order.collection_time is not None
    assert order.delivery_time is not None
    never_delivered = {"delivery_time": None, "completion_time": None}
    if order.is_cod and rng.random() < 0.6:
        return replace(
            order,
            **never_delivered,
            cancel_time=order.delivery_time,
            cancellation_initiator="BUYER",
            cancel_reason=COD_REFUSED,
        )
    if rng.random() < 0.5:
        return replace(
            order,
            **never_delivered,
            cancel_time=order.delivery_time + rng.randint(DAY, 3 * DAY),
            cancellation_initiator="SYSTEM",
            cancel_reason=DELIVERY_FAILED,
        )
    return replace(
        order,
        **never_delivered,
        collection_time=None,
        cancel_time=order.rts_time + rng.randint(60, order.collection_time - order.rts_time),
        cancellation_initiator="BUYER",
        cancel_reason=CANCELLED_AFTER_SHIPMENT,
    )


# ------------------------------------------------------------------ generation details

# Relative order intensity by LOCAL hour: evening peak, and busy right up to midnight so
# local and UTC dates disagree often.
# fmt: off
_LOCAL_HOUR_WEIGHT = (3.0, 1.6, 0.9, 0.5, 0.4, 0.5, 0.8, 1.2, 1.6, 2.0, 2.2, 2.4,
                      2.8, 2.5, 2.3, 2.3, 2.5, 2.8, 3.3, 4.0, 4.6, 4.8, 4.2, 3.6)
# fmt: on
_WEEKDAY_FACTOR = (0.95, 0.9, 0.95, 1.0, 1.05, 1.1, 1.05)  # Monday first (UTC day)

# Platform-wide mega sales (month, day) → order volume multiplier: the double-11 peak, 12.12,
# 9.9 and mid-year 6.18. The day before carries a pre-sale bump.
PROMOTION_DAYS: dict[tuple[int, int], float] = {
    (11, 11): 3.0,
    (12, 12): 2.2,
    (9, 9): 1.8,
    (6, 18): 1.6,
}
_PRE_SALE_FACTOR = 1.3


def promotion_factor(day: date) -> float:
    """How much busier than usual a UTC day is because of a mega sale (1.0 on normal days)."""
    factor = PROMOTION_DAYS.get((day.month, day.day))
    if factor is not None:
        return factor
    tomorrow = day + timedelta(days=1)
    return _PRE_SALE_FACTOR if (tomorrow.month, tomorrow.day) in PROMOTION_DAYS else 1.0


_UNPAID_CANCEL_RATE = 0.08
_PAID_CANCEL_RATE = 0.05
_GIFT_RATE = 0.03
_TOUCH_RATE = 0.15
_REPEAT_BUYER_RATE = 0.3


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(n))


def _order_count(rng: random.Random, config: DatasetConfig, shop: Shop, day: date) -> int:
    mean = config.orders_per_shop_day * _SHOP_SCALE.get(shop.shop_id, 1.0)
    noise = min(1.4, max(0.6, rng.gauss(1.0, 0.12)))
    factor = _WEEKDAY_FACTOR[day.weekday()] * promotion_factor(day)
    return max(0, round(mean * factor * noise))


def _hour_weights(shop: Shop, day: date) -> list[float]:
    tz = ZoneInfo(shop.time_zone)
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return [
        _LOCAL_HOUR_WEIGHT[(start + timedelta(hours=h, minutes=30)).astimezone(tz).hour]
        for h in range(24)
    ]


def _orders_for_shop_day(
    config: DatasetConfig,
    shop: Shop,
    shop_index: int,
    day: date,
    catalogue: tuple[Sku, ...],
    pool: tuple[Buyer, ...],
) -> list[Order]:
    rng = random.Random(f"{config.seed}:{shop.shop_id}:{day.isoformat()}")
    count = _order_count(rng, config, shop, day)
    day_start = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    weights = _hour_weights(shop, day)
    hours = rng.choices(range(24), weights=weights, k=count)
    create_times = sorted(day_start + h * HOUR + rng.randrange(HOUR) for h in hours)
    day_number = (day - date(2020, 1, 1)).days % 10000
    orders = []
    for seq, create_time in enumerate(create_times):
        # Unique by construction: day, shop and sequence are encoded, the tail is random.
        order_id = f"57{day_number:04d}{shop_index:02d}{seq % 10000:04d}{_digits(rng, 6)}"
        orders.append(_make_order(rng, shop, order_id, create_time, catalogue, pool))
    return orders


def _make_order(
    rng: random.Random,
    shop: Shop,
    order_id: str,
    create_time: int,
    catalogue: tuple[Sku, ...],
    pool: tuple[Buyer, ...],
) -> Order:
    lines = _line_items(rng, shop, order_id, catalogue)
    sub_total = sum((li.sale_price for li in lines), ZERO)
    shipping_fee, original_shipping_fee = _shipping(rng, shop.currency)
    tax = _tax(rng, shop, sub_total)
    buyer = rng.choice(pool) if pool and rng.random() < _REPEAT_BUYER_RATE else None
    buyer = buyer or _new_buyer(rng, shop.region)
    provider, tracking, corrected = _shipping_labels(rng, shop.region)
    method = rng.choice(_PAYMENT_METHODS[shop.region])
    timeline = _timeline(rng, shop, create_time)
    return Order(
        order_id=order_id,
        shop=shop,
        create_time=create_time,
        line_items=lines,
        buyer=buyer,
        shipping_fee=shipping_fee,
        original_shipping_fee=original_shipping_fee,
        tax=tax,
        tracking_number=tracking,
        corrected_tracking_number=corrected if timeline.get("touch_time") else "",
        shipping_provider=provider,
        payment_method_name=method,
        is_cod=method == "Cash on delivery",
        fulfillment_type=(
            "FULFILLMENT_BY_TIKTOK"
            if shop.region == "US" and rng.random() < 0.1
            else "FULFILLMENT_BY_SELLER"
        ),
        warehouse_id=f"72{shop.shop_id[2:]}",
        **timeline,
    )


def _timeline(rng: random.Random, shop: Shop, create_time: int) -> dict:
    """Event times for one order; cancellations cut the life cycle short."""
    u = rng.random()
    if u < _UNPAID_CANCEL_RATE:
        initiator = rng.choice(("SYSTEM", "SYSTEM", "BUYER"))
        return {
            "cancel_time": create_time + rng.randint(HOUR, 48 * HOUR),
            "cancellation_initiator": initiator,
            "cancel_reason": rng.choice(_CANCEL_REASONS[("UNPAID", initiator)]),
        }
    paid = create_time + rng.randint(30, 1800)
    times: dict = {"paid_time": paid}
    if shop.region == "US":
        times["hold_release_time"] = paid + rng.randint(2700, 3540)
    if u < _UNPAID_CANCEL_RATE + _PAID_CANCEL_RATE:
        initiator = rng.choice(("BUYER", "BUYER", "SELLER"))
        times.update(
            cancel_time=paid + rng.randint(HOUR, 40 * HOUR),
            cancellation_initiator=initiator,
            cancel_reason=rng.choice(_CANCEL_REASONS[("PAID", initiator)]),
        )
        return times
    rts = paid + rng.randint(6 * HOUR, 60 * HOUR)
    collection = rts + rng.randint(2 * HOUR, 24 * HOUR)
    delivery = collection + rng.randint(2 * DAY, 8 * DAY)
    times.update(
        rts_time=rts,
        collection_time=collection,
        delivery_time=delivery,
        completion_time=delivery + rng.randint(7 * DAY, 15 * DAY),
    )
    if rng.random() < _TOUCH_RATE:
        times["touch_time"] = rts + rng.randint(300, collection - rts - 60)
    return times


def _line_items(
    rng: random.Random, shop: Shop, order_id: str, catalogue: tuple[Sku, ...]
) -> tuple[LineItem, ...]:
    sellable = [s for s in catalogue if not s.is_gift]
    popularity = [1.0 / (i + 1) ** 0.7 for i in range(len(sellable))]
    n = rng.choices((1, 2, 3, 4), weights=(60, 25, 10, 5))[0]
    picks = rng.choices(sellable, weights=popularity, k=n)
    discounts: dict[str, tuple[Decimal, Decimal]] = {}
    lines = []
    for k, sku in enumerate(picks):
        if sku.sku_id not in discounts:  # one promotion per SKU within an order
            discounts[sku.sku_id] = _discounts(rng, sku.original_price, shop.currency)
        seller, platform = discounts[sku.sku_id]
        lines.append(_line(order_id, k, sku, sku.original_price, seller, platform))
    gifts = [s for s in catalogue if s.is_gift]
    if gifts and rng.random() < _GIFT_RATE:
        lines.append(_line(order_id, len(lines), rng.choice(gifts), ZERO, ZERO, ZERO))
    return tuple(lines)


def _line(
    order_id: str, k: int, sku: Sku, price: Decimal, seller: Decimal, platform: Decimal
) -> LineItem:
    return LineItem(
        id=f"58{order_id[2:17]}{k}",
        sku_id=sku.sku_id,
        product_id=sku.product_id,
        product_name=sku.product_name,
        seller_sku=sku.seller_sku,
        original_price=price,
        seller_discount=seller,
        platform_discount=platform,
        is_gift=sku.is_gift,
    )


def _discounts(rng: random.Random, price: Decimal, currency: str) -> tuple[Decimal, Decimal]:
    seller = platform = ZERO
    if rng.random() < 0.35:
        seller = quantize_money(
            price * Decimal(rng.choice((5, 10, 15, 20, 25, 30))) / 100, currency
        )
    if rng.random() < 0.25:
        platform = quantize_money(price * Decimal(rng.randint(3, 15)) / 100, currency)
    return seller, platform


_SHIPPING_FEES = {
    "USD": ("3.99", "4.99", "5.99"),
    "GBP": ("2.99", "3.49", "3.99"),
    "IDR": ("9000", "12000", "15000"),
    "THB": ("30", "40", "45"),
    "MYR": ("4.90", "5.90", "6.90"),
    "PHP": ("45", "55", "65"),
    "VND": ("15000", "20000", "25000"),
    "SGD": ("2.99", "3.99"),
    "MXN": ("79", "99", "119"),
}


def _shipping(rng: random.Random, currency: str) -> tuple[Decimal, Decimal]:
    """(charged, original) shipping; free shipping is common and keeps the original fee."""
    original = Decimal(rng.choice(_SHIPPING_FEES[currency]))
    charged = ZERO if rng.random() < 0.55 else original
    return charged, original


_US_TAX_RATES = ("0", "0.06", "0.0725", "0.0825", "0.0875", "0.1025")


def _tax(rng: random.Random, shop: Shop, sub_total: Decimal) -> Decimal:
    """US sales tax is added on top; elsewhere VAT is inside the price, so tax is zero."""
    if shop.region != "US":
        return ZERO
    return quantize_money(sub_total * Decimal(rng.choice(_US_TAX_RATES)), shop.currency)


# --------------------------------------------------------------------- catalogue data

# fmt: off
_PRODUCTS = {
    "home": ("Linen Throw Blanket", "Ceramic Pour-Over Set", "Bamboo Drawer Organizer",
             "Scented Soy Candle", "Velvet Cushion Cover", "Glass Storage Jar",
             "Cotton Bath Towel", "Wall Floating Shelf", "Silicone Baking Mat",
             "LED Fairy Lights"),
    "beauty": ("Hydrating Face Serum", "Vitamin C Toner", "Matte Lip Tint",
               "Gentle Foam Cleanser", "Overnight Lip Mask", "Volumizing Mascara",
               "Silk Sleep Scrunchie", "SPF 50 Sunscreen", "Jade Facial Roller"),
    "fashion": ("Kemeja Linen Oversize", "Hijab Voal Premium", "Celana Kulot",
                "Kaos Polos Cotton", "Tas Selempang Mini", "Dress Batik Modern",
                "Sandal Slide Casual", "Cardigan Rajut"),
    "gadgets": ("Wireless Earbuds", "Magnetic Phone Holder", "USB-C Fast Charger",
                "Power Bank 10000mAh", "Bluetooth Speaker Mini", "Smart Watch Strap",
                "Ring Light 10 inch", "Cable Organizer Set", "Phone Case Clear"),
}
# fmt: on
_VARIANTS = {
    "home": ("Sand", "Sage", "Charcoal"),
    "beauty": ("30ml", "50ml"),
    "fashion": ("S", "M", "L"),
    "gadgets": ("Black", "White"),
}
_GIFTS = {
    "home": "Gift: Mini Candle",
    "beauty": "Gift: Travel Size Serum",
    "fashion": "Gift: Pouch Kain",
    "gadgets": "Gift: Cable Tie Pack",
}


def _list_price(rng: random.Random, currency: str) -> Decimal:
    if currency == "USD":
        return Decimal(rng.randint(6, 59)) + Decimal("0.99")
    if currency == "GBP":
        return Decimal(rng.randint(4, 44)) + Decimal("0.99")
    if currency == "IDR":
        return Decimal(rng.randint(290, 4990) * 100)
    if currency == "VND":
        return Decimal(rng.randint(49, 899) * 1000)
    if currency == "MYR":
        return Decimal(rng.randint(9, 199)) + Decimal("0.90")
    if currency == "SGD":
        return Decimal(rng.randint(4, 89)) + Decimal("0.90")
    if currency == "PHP":
        return Decimal(rng.choice(range(99, 2000, 50)))
    if currency == "MXN":
        return Decimal(rng.choice(range(99, 1500, 20)))
    return Decimal(rng.choice(range(99, 1300, 10)))  # THB, whole baht shown as "x.00"


def _catalogue(seed: int, shop: Shop) -> tuple[Sku, ...]:
    """10–30 SKUs per shop (products × variants) plus one gift SKU."""
    rng = random.Random(f"{seed}:{shop.shop_id}:catalogue")
    theme = _SHOP_THEME.get(shop.shop_id, "home")
    names = list(_PRODUCTS[theme])
    rng.shuffle(names)
    variants = _VARIANTS[theme]
    skus: list[Sku] = []
    for p, name in enumerate(names[: max(4, 24 // len(variants))]):
        product_id = "17" + _digits(rng, 17)
        price = _list_price(rng, shop.currency)
        for v, variant in enumerate(variants[: rng.randint(min(2, len(variants)), len(variants))]):
            skus.append(
                Sku(
                    sku_id="17" + _digits(rng, 17),
                    product_id=product_id,
                    product_name=f"{name} - {variant}",
                    seller_sku=f"{shop.code[4:8]}-{p:02d}{v}",
                    original_price=price,
                )
            )
    gift_product = "17" + _digits(rng, 17)
    skus.append(
        Sku(
            sku_id="17" + _digits(rng, 17),
            product_id=gift_product,
            product_name=_GIFTS[theme],
            seller_sku=f"{shop.code[4:8]}-GIFT",
            original_price=ZERO,
            is_gift=True,
        )
    )
    return tuple(skus)


# ------------------------------------------------------------------------ buyer data

_FIRST = {
    "US": ("Emma", "Liam", "Olivia", "Noah", "Ava", "Mason", "Sophia", "Ethan", "Mia", "Lucas"),
    "GB": ("Amelia", "Oliver", "Isla", "George", "Poppy", "Harry", "Freya", "Jack", "Ivy"),
    "ID": ("Putri", "Budi", "Siti", "Agus", "Dewi", "Rizky", "Ayu", "Fajar", "Intan", "Dimas"),
    "TH": ("Somchai", "Nattaya", "Kittipong", "Suda", "Anan", "Ploy", "Chaiwat", "Malee"),
    "MY": ("Nurul", "Ahmad", "Siti", "Wei Jie", "Mei Ling", "Arjun", "Aisyah", "Hafiz"),
    "PH": ("Maria", "Jose", "Angelica", "Mark", "Kristine", "John Paul", "Camille", "Miguel"),
    "VN": ("Linh", "Minh", "Trang", "Duc", "Huong", "Tuan", "Mai", "Quang", "Thao"),
    "SG": ("Wei Ling", "Jun Hao", "Priya", "Marcus", "Hui Min", "Darren", "Nur Aini"),
    "MX": ("Sofia", "Santiago", "Valentina", "Mateo", "Camila", "Diego", "Ximena", "Leonardo"),
}
_LAST = {
    "US": ("Johnson", "Garcia", "Miller", "Davis", "Martinez", "Lopez", "Wilson", "Anderson"),
    "GB": ("Smith", "Taylor", "Brown", "Evans", "Walker", "Wright", "Hughes", "Clarke"),
    "ID": ("Santoso", "Wijaya", "Saputra", "Lestari", "Hidayat", "Kurniawan", "Pratama"),
    "TH": ("Srisuk", "Wongsa", "Chaiyaporn", "Boonmee", "Kaewkla", "Thongdee", "Sukjai"),
    "MY": ("Abdullah", "Tan", "Lim", "Ismail", "Wong", "Rahman", "Lee", "Kumar"),
    "PH": ("Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza", "Ramos", "Aquino"),
    "VN": ("Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Dang", "Bui"),
    "SG": ("Tan", "Lim", "Ng", "Ong", "Goh", "Chua", "Nair", "Koh"),
    "MX": ("Hernandez", "Garcia", "Martinez", "Lopez", "Gonzalez", "Perez", "Ramirez", "Flores"),
}
_STREETS = {
    "US": ("Maple Ave", "Oak St", "Sunset Blvd", "Pine Rd", "Cedar Ln", "Elm Dr"),
    "GB": ("High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane"),
    "ID": ("Jl. Melati", "Jl. Sudirman", "Jl. Kenanga", "Jl. Merdeka", "Jl. Diponegoro"),
    "TH": ("Soi Sukhumvit 24", "Soi Ari 4", "Thanon Nimmanhaemin", "Soi Ratchada 7"),
    "MY": ("Jalan Bukit Bintang", "Jalan Ampang", "Jalan Tun Razak", "Lorong Maarof"),
    "PH": ("Rizal Avenue", "Mabini Street", "Bonifacio Drive", "Katipunan Avenue"),
    "VN": ("Duong Le Loi", "Pho Hang Bac", "Duong Nguyen Hue", "Duong Tran Hung Dao"),
    "SG": ("Orchard Road", "Tampines Street 21", "Ang Mo Kio Avenue 3", "Jurong West Street 52"),
    "MX": ("Avenida Reforma", "Calle Madero", "Avenida Insurgentes", "Calle Hidalgo"),
}
# fmt: off
_CITIES = {  # (city, state or province, postal code or its prefix)
    "US": (("Los Angeles", "CA", "900"), ("Houston", "TX", "770"), ("Brooklyn", "NY", "112"),
           ("Phoenix", "AZ", "850"), ("Seattle", "WA", "981"), ("Chicago", "IL", "606")),
    "GB": (("London", "", "E1 6AN"), ("Manchester", "", "M1 1AE"), ("Leeds", "", "LS1 4AP"),
           ("Bristol", "", "BS1 4DJ"), ("Glasgow", "", "G1 1XQ")),
    "ID": (("Jakarta Selatan", "DKI Jakarta", "12"), ("Bandung", "Jawa Barat", "40"),
           ("Surabaya", "Jawa Timur", "60"), ("Yogyakarta", "DI Yogyakarta", "55")),
    "TH": (("Bangkok", "", "10"), ("Chiang Mai", "", "50"), ("Khon Kaen", "", "40"),
           ("Nonthaburi", "", "11")),
    "MY": (("Kuala Lumpur", "WP Kuala Lumpur", "50"), ("Petaling Jaya", "Selangor", "47"),
           ("George Town", "Penang", "10"), ("Johor Bahru", "Johor", "80")),
    "PH": (("Quezon City", "Metro Manila", "11"), ("Makati", "Metro Manila", "12"),
           ("Cebu City", "Cebu", "60"), ("Davao City", "Davao del Sur", "80")),
    "VN": (("Ho Chi Minh City", "", "70"), ("Ha Noi", "", "10"), ("Da Nang", "", "55"),
           ("Hai Phong", "", "18")),
    "SG": (("Singapore", "", "23"), ("Singapore", "", "52"), ("Singapore", "", "56")),
    "MX": (("Ciudad de Mexico", "CDMX", "06"), ("Guadalajara", "Jalisco", "44"),
           ("Monterrey", "Nuevo Leon", "64"), ("Puebla", "Puebla", "72")),
}
# fmt: on
_COUNTRY = {
    "US": "United States",
    "GB": "United Kingdom",
    "ID": "Indonesia",
    "TH": "Thailand",
    "MY": "Malaysia",
    "PH": "Philippines",
    "VN": "Vietnam",
    "SG": "Singapore",
    "MX": "Mexico",
}


def _phone(rng: random.Random, region: str) -> str:
    if region == "US":
        return f"(+1){rng.choice(('213', '312', '206', '718'))}555{rng.randint(100, 199):04d}"
    if region == "GB":
        return f"(+44)7700900{rng.randint(0, 999):03d}"
    if region == "ID":
        return f"(+62)8{rng.randint(11, 59)}{_digits(rng, 8)}"
    if region == "MY":
        return f"(+60)1{rng.randint(2, 9)}{_digits(rng, 7)}"
    if region == "PH":
        return f"(+63)9{rng.randint(15, 99)}{_digits(rng, 7)}"
    if region == "VN":
        return f"(+84)9{rng.randint(0, 9)}{_digits(rng, 7)}"
    if region == "SG":
        return f"(+65){rng.choice('89')}{_digits(rng, 7)}"
    if region == "MX":
        return f"(+52)55{_digits(rng, 8)}"
    return f"(+66)8{rng.randint(1, 9)}{_digits(rng, 7)}"


def _postal(rng: random.Random, region: str, base: str) -> str:
    if region == "US":
        return f"{base}{rng.randint(0, 99):02d}"
    if region == "GB":
        return base
    if region in ("ID", "MY", "PH", "MX"):
        return f"{base}{rng.randint(100, 999)}"[: 4 if region == "PH" else 5]
    if region in ("VN", "SG"):
        return f"{base}{rng.randint(1000, 9999)}"
    return f"{base}{rng.randint(1, 9)}{rng.randint(0, 9)}0"


def _new_buyer(rng: random.Random, region: str) -> Buyer:
    first, last = rng.choice(_FIRST[region]), rng.choice(_LAST[region])
    city, state, base = rng.choice(_CITIES[region])
    postal = _postal(rng, region, base)
    number = rng.randint(1, 480)
    street = rng.choice(_STREETS[region])
    street_part = f"{street} No. {number}" if region == "ID" else f"{number} {street}"
    locality = ", ".join(p for p in (city, f"{state} {postal}".strip()) if p)
    return Buyer(
        user_id="7494" + _digits(rng, 15),
        email=f"{first}.{last}{rng.randint(1, 9999)}@example.com".lower(),
        name=f"{first} {last}",
        phone_number=_phone(rng, region),
        full_address=f"{street_part}, {locality}, {_COUNTRY[region]}",
        region_code=region,
        postal_code=postal,
    )


_POOL_SIZE = 150
# Of a shop's returning buyers, the first ones are the market's: the same people (same user
# id) buy in every shop of the seller in that market, so per-shop and per-market buyer counts
# differ (sandbox choice; the reference does not say whether user ids are shop-scoped).
_MARKET_BUYERS = 60


def _buyer_pool(seed: int, shop: Shop) -> tuple[Buyer, ...]:
    """Returning buyers of a shop: fixed per (seed, shop), so any day can draw from it; the
    pool's size is fixed too, so which draws repeat a buyer never depends on who is in it."""
    market = random.Random(f"{seed}:{shop.region}:market-buyers")
    rng = random.Random(f"{seed}:{shop.shop_id}:buyers")
    shared = [_new_buyer(market, shop.region) for _ in range(_MARKET_BUYERS)]
    own = [_new_buyer(rng, shop.region) for _ in range(_POOL_SIZE - _MARKET_BUYERS)]
    return tuple(shared + own)


_PAYMENT_METHODS = {
    "US": ("Credit card", "Credit card", "PayPal", "Apple Pay"),
    "GB": ("Credit card", "PayPal", "Apple Pay", "Klarna"),
    "ID": ("DANA", "OVO", "Bank transfer", "Cash on delivery"),
    "TH": ("TrueMoney Wallet", "Credit card", "Cash on delivery"),
    "MY": ("Touch 'n Go eWallet", "Credit card", "Online banking", "Cash on delivery"),
    "PH": ("GCash", "Maya", "Credit card", "Cash on delivery"),
    "VN": ("MoMo", "ZaloPay", "Cash on delivery", "Cash on delivery"),
    "SG": ("Credit card", "PayNow", "GrabPay"),
    "MX": ("Tarjeta de credito", "OXXO", "Mercado Pago"),
}
_CANCEL_REASONS = {
    ("UNPAID", "SYSTEM"): ("Payment overdue",),
    ("UNPAID", "BUYER"): ("No longer needed", "Need to change payment method"),
    ("PAID", "BUYER"): ("Changed my mind", "Found a better price", "Wrong shipping address"),
    ("PAID", "SELLER"): ("Out of stock", "Unable to deliver to this area"),
}


def _shipping_labels(rng: random.Random, region: str) -> tuple[str, str, str]:
    """(provider, tracking number, corrected tracking number used after a touch)."""
    provider = rng.choice(
        {
            "US": ("USPS", "UPS"),
            "GB": ("Royal Mail", "Evri"),
            "ID": ("J&T Express", "SiCepat"),
            "TH": ("Kerry Express", "Flash Express"),
            "MY": ("J&T Express", "Ninja Van"),
            "PH": ("J&T Express", "Flash Express"),
            "VN": ("GHN", "J&T Express"),
            "SG": ("Ninja Van", "SingPost"),
            "MX": ("Estafeta", "DHL"),
        }[region]
    )
    prefix = {
        "USPS": "9400",
        "UPS": "1Z",
        "Royal Mail": "RM",
        "Evri": "H0",
        "J&T Express": "JP",
        "SiCepat": "00",
        "Kerry Express": "KERTH",
        "Flash Express": "TH",
        "Ninja Van": "NV",
        "GHN": "GHN",
        "SingPost": "SP",
        "Estafeta": "EST",
        "DHL": "JD",
    }[provider]
    return provider, prefix + _digits(rng, 14), prefix + _digits(rng, 14)
