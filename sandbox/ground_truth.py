"""KPI truth per shop and shop-local day, computed in plain Python from the order model.

This is the yardstick the warehouse is tested against, so it reads the generator's own
timeline and Decimal amounts — never the API's JSON and never SQL. The definitions here
are the contract the dbt marts implement independently:

- GMV of an order = sub_total + platform_discount: product value after seller discounts
  (the lines' and the order's seller voucher), with platform-funded discounts (the lines' and
  the platform voucher) added back; shipping and tax excluded.
- units = line items that are not gifts (one line is one unit).
- placed: local date of create_time. paid: local date of paid_time, only while the order is
  not cancelled. delivered: local date of delivery_time. cancelled: local date of cancel_time.
- completed: delivered and RETURN_WINDOW_DAYS past delivery by the newest change visible
  (the data's watermark), dated by the end of that window.
- cancellation cohort: orders placed that day that are cancelled by `as_of`.
- refunds: refund subtotal (goods) of requests refunded by `as_of`, dated by the refund's
  local day and, separately, by the refunded order's payment day; orders with a return
  request: distinct paid orders (by payment day) with any visible request.
- history: the warehouse loads by update time from the window's first day (00:00 UTC), so it
  has every order of the window and each order placed before it whose latest change falls
  inside it (`loaded_orders`), with its events on their own days. Shop days start on that
  first day in every shop's time zone (`in_loaded_history`): an earlier day would hold only
  the few orders that changed later, so it is no shop day, though those orders' deliveries,
  completions, cancellations and refunds inside the window count. An order whose life ended
  before the window is never loaded: its refunds inside the window count by refund date, and
  not by order date (its payment day is unknown to the warehouse), nor as an order with a
  return request (docs/kpi_management.md, section 9).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sandbox.after_sales import AfterSales, ReturnRequest
from sandbox.ecb_fx import GAP_CURRENCY, Rates, is_fx_gap_day, rate_in_force
from sandbox.generator import CANCELLED, DAY, Dataset, Order, Shop

# The return window the warehouse's default (dbt var `return_window_days`) also uses.
RETURN_WINDOW_DAYS = 15


@dataclass(frozen=True)
class ShopDayTruth:
    """Counts and Decimal amounts (in the shop's currency) for one shop-local day."""

    orders_placed: int = 0
    orders_paid: int = 0
    gmv_paid: Decimal = Decimal(0)
    units_paid: int = 0
    orders_delivered: int = 0
    gmv_delivered: Decimal = Decimal(0)
    orders_cancelled: int = 0
    orders_completed: int = 0
    gmv_completed: Decimal = Decimal(0)
    orders_placed_later_cancelled: int = 0
    refund_amount_by_refund_date: Decimal = Decimal(0)
    refund_amount_by_order_date: Decimal = Decimal(0)
    orders_with_return_request: int = 0


def order_gmv(order: Order) -> Decimal:
    """The one place GMV of an order is defined for the sandbox's truth."""
    return order.sub_total + order.platform_discount


def local_date(shop: Shop, unix_seconds: int) -> date:
    return datetime.fromtimestamp(unix_seconds, ZoneInfo(shop.time_zone)).date()


def loaded_from(ds: Dataset) -> int:
    """Where the warehouse's loaded history begins (the window's first day, 00:00 UTC)."""
    return ds.config.window_start if ds.config else 0


def in_loaded_history(ds: Dataset, day: date, first_day: date | None = None) -> bool:
    """Whether a shop-local `day` is a shop day of the warehouse: on or after the first loaded
    day (the window's first UTC date; `first_day` when several sandboxes landed into one
    warehouse, the oldest of their windows), never an older order's day. Every day for a
    dataset built by hand (no window)."""
    first = first_day or (ds.config.start_date if ds.config else None)
    return first is None or day >= first


def loaded_orders(ds: Dataset, as_of: int) -> list[Order]:
    """The orders an update-time load from the window's first day has at `as_of`: the window's
    and each history order whose newest change by then is inside the window."""
    start = loaded_from(ds)
    history = [o for o in ds.history_orders if (s := o.state_at(as_of)) and s.update_time >= start]
    return history + [o for o in ds.orders if o.state_at(as_of) is not None]


def shop_daily_truth(
    ds: Dataset,
    as_of: int,
    after_sales: AfterSales | None = None,
    *,
    first_day: date | None = None,
) -> dict[tuple[str, date], ShopDayTruth]:
    """Truth keyed by (shop_id, shop-local date); only days with some activity appear, and
    only days of the loaded history (`in_loaded_history`, `first_day` passed on to it).

    Days at the edges of the window are partial in local time (the window is in UTC days:
    east of UTC its first local day begins before it); they are still the truth of what the
    warehouse loaded.
    """
    totals: dict[tuple[str, date], dict[str, int | Decimal]] = {}

    def add(order: Order, when: int, **amounts: int | Decimal) -> None:
        key = (order.shop.shop_id, local_date(order.shop, when))
        day = totals.setdefault(key, {})
        for name, value in amounts.items():
            day[name] = day.get(name, 0) + value

    states = {o.order_id: o.state_at(as_of) for o in loaded_orders(ds, as_of)}
    watermark = max((s.update_time for s in states.values() if s is not None), default=0)
    for order_id, state in states.items():
        order = ds.order_by_id(order_id)
        assert order is not None and state is not None
        cancelled = state.status == CANCELLED
        add(order, order.create_time, orders_placed=1, orders_placed_later_cancelled=int(cancelled))
        if "paid_time" in state.times and not cancelled:
            add(
                order,
                state.times["paid_time"],
                orders_paid=1,
                gmv_paid=order_gmv(order),
                units_paid=order.units,
            )
        if "delivery_time" in state.times:
            add(
                order,
                state.times["delivery_time"],
                orders_delivered=1,
                gmv_delivered=order_gmv(order),
            )
            completed_at = state.times["delivery_time"] + RETURN_WINDOW_DAYS * DAY
            if completed_at <= watermark:
                add(order, completed_at, orders_completed=1, gmv_completed=order_gmv(order))
        if cancelled:
            add(order, state.times["cancel_time"], orders_cancelled=1)
    requested: set[str] = set()
    for request in loaded_returns(after_sales, as_of, loaded_from(ds)) if after_sales else ():
        order = request.order
        refunded = request.refund_time is not None and request.refund_time <= as_of
        if refunded:
            add(order, request.refund_time, refund_amount_by_refund_date=request.refund_subtotal)
        paid = states.get(order.order_id)
        if paid is None or "paid_time" not in paid.times:
            continue  # an order never loaded: no payment day to date it by
        if order.order_id not in requested:
            requested.add(order.order_id)
            add(order, paid.times["paid_time"], orders_with_return_request=1)
        if refunded:
            add(order, paid.times["paid_time"], refund_amount_by_order_date=request.refund_subtotal)
    return {
        key: _freeze(values)
        for key, values in totals.items()
        if in_loaded_history(ds, key[1], first_day)
    }


def _freeze(values: dict[str, int | Decimal]) -> ShopDayTruth:
    """Missing measures are zero, typed like the field's default (int or Decimal)."""
    base = ShopDayTruth()
    return ShopDayTruth(
        **{
            name: type(getattr(base, name))(values.get(name, getattr(base, name)))
            for name in base.__dataclass_fields__
        }
    )


@dataclass(frozen=True)
class ReturnTruth:
    """A return request as seen at `as_of`: its status and, once paid, the refund's day."""

    shop_id: str
    status: str
    refund_total: Decimal
    refunded_local_date: date | None


def loaded_returns(after_sales: AfterSales, as_of: int, start: int) -> list[ReturnRequest]:
    """The requests an update-time load from `start` has at `as_of` (newest change inside)."""
    return [r for r in after_sales.returns if (state := r.state_at(as_of)) and state[1] >= start]


def returns_truth(after_sales: AfterSales, as_of: int, start: int = 0) -> dict[str, ReturnTruth]:
    """Every return request visible at `as_of` and loaded from `start` (Unix seconds, the
    window's first moment), keyed by return id.

    A refund counts from the moment the money went back (the COMPLETE step), on the shop's
    local day of that moment; requests still open, rejected or withdrawn have no refund day.
    """
    truth = {}
    for request in loaded_returns(after_sales, as_of, start):
        state = request.state_at(as_of)
        assert state is not None
        refunded = request.refund_time is not None and request.refund_time <= as_of
        shop = request.order.shop
        truth[request.return_id] = ReturnTruth(
            shop_id=shop.shop_id,
            status=state[0],
            refund_total=request.refund_total,
            refunded_local_date=local_date(shop, request.refund_time) if refunded else None,
        )
    return truth


@dataclass(frozen=True)
class StockTruth:
    """One stock pool (ERP warehouse × seller SKU) at a moment, and its known stock-outs."""

    warehouse: str
    seller_sku: str
    on_hand: int  # available units
    in_transit: int
    is_viral: bool
    stock_outs: tuple[tuple[int, int | None], ...]  # (start, end) Unix seconds up to as_of


def stock_truth(ds: Dataset, as_of: int) -> dict[tuple[str, str], StockTruth]:
    """Every pool's units at `as_of` and its stretches at zero begun by then (a known event:
    each shop's viral SKU sells out); read straight from the stock model's series."""
    model = ds.stock
    if model is None:
        return {}
    outs: dict[tuple[str, str], list[tuple[int, int | None]]] = {}
    for out in model.stock_outs():
        if out.start <= as_of:
            end = out.end if out.end is not None and out.end <= as_of else None
            outs.setdefault((out.warehouse, out.seller_sku), []).append((out.start, end))
    viral = model.viral_pools()
    truth = {}
    for pool in model.levels:
        level = model.level_at(pool, as_of)
        truth[pool] = StockTruth(
            *pool, level.on_hand, level.in_transit, pool in viral, tuple(outs.get(pool, ()))
        )
    return truth


@dataclass(frozen=True)
class MissingFxDay:
    """A day a shop's currency had no rate of its own because of the injected gap: amounts
    convert at the rate published on `rate_published_on`, carried forward."""

    shop_id: str
    currency: str
    local_date: date
    rate_published_on: date

    @property
    def age_days(self) -> int:
        return (self.local_date - self.rate_published_on).days


def missing_fx_truth(ds: Dataset, rates: Rates, published_through: date) -> list[MissingFxDay]:
    """Every day of the window on which a shop selling in GAP_CURRENCY converts at a rate
    carried forward across one of its gap days (rates published by `published_through`)."""
    if ds.config is None:
        return []
    known = {day: quoted for day, quoted in rates.items() if day <= published_through}
    found = []
    for day in ds.config.days():
        published_on = rate_in_force(known, GAP_CURRENCY, day)
        if published_on is None or not any(
            is_fx_gap_day(date.fromordinal(n))
            for n in range(published_on.toordinal() + 1, day.toordinal() + 1)
        ):
            continue
        found += [
            MissingFxDay(shop.shop_id, GAP_CURRENCY, day, published_on)
            for shop in ds.shops
            if shop.currency == GAP_CURRENCY
        ]
    return found
