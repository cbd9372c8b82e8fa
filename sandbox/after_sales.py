"""Returns, refunds and cancellations: the after-sales side of the sandbox's orders.

Derived from the generated orders, never the other way round, so adding after-sales left the
order model (and its ground truth) untouched. Each return has its own random stream keyed by
(seed, order id), so a return does not depend on the window around its order. Like orders,
every return and cancellation carries its whole life as timed status steps and is shown
"as of" a moment by `api_view(as_of)`.

Life cycles (the 202309 `return_status` values):
- REFUND (refund only): PENDING → SUCCESS → COMPLETE (money back), or PENDING → REJECT.
- RETURN_AND_REFUND: PENDING → AWAITING_BUYER_SHIP → BUYER_SHIPPED_ITEM → COMPLETE, or the
  buyer gives up after approval (CANCEL).
Cancellations: one per order cancelled after payment (the money goes back to the buyer);
orders cancelled before payment never reach this endpoint (nothing to refund).

Late refunds: a few delivered orders get a refund-only request for PART of one line's price
4–38 days after the order, often past the return window, refunded within about two days: a
change far beyond any ingestion look-back, for an order the pipeline loaded weeks before. Of
the orders that already had a return, many more get such a request for another line 1–8 days
after the first: several requests on one order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from sandbox.generator import (
    DAY,
    HOUR,
    ZERO,
    Dataset,
    LineItem,
    Order,
    money_str,
    quantize_money,
)

RETURN_PENDING = "RETURN_OR_REFUND_REQUEST_PENDING"
RETURN_REJECTED = "REFUND_OR_RETURN_REQUEST_REJECT"
AWAITING_BUYER_SHIP = "AWAITING_BUYER_SHIP"
BUYER_SHIPPED_ITEM = "BUYER_SHIPPED_ITEM"
RETURN_APPROVED = "RETURN_OR_REFUND_REQUEST_SUCCESS"
RETURN_CANCELLED = "RETURN_OR_REFUND_REQUEST_CANCEL"
RETURN_COMPLETE = "RETURN_OR_REFUND_REQUEST_COMPLETE"
RETURN_STATUSES = (
    RETURN_PENDING,
    RETURN_REJECTED,
    AWAITING_BUYER_SHIP,
    BUYER_SHIPPED_ITEM,
    RETURN_APPROVED,
    RETURN_CANCELLED,
    RETURN_COMPLETE,
)
REFUND_ONLY = "REFUND"
RETURN_AND_REFUND = "RETURN_AND_REFUND"

CANCELLATION_PENDING = "CANCELLATION_REQUEST_PENDING"
CANCELLATION_COMPLETE = "CANCELLATION_REQUEST_COMPLETE"
CANCELLATION_STATUSES = (CANCELLATION_PENDING, CANCELLATION_COMPLETE)

# Share of delivered orders with a return request.
_RETURN_RATE = 0.07
_RETURN_REASONS = {
    REFUND_ONLY: ("Package wasn't received", "Missing items", "Item damaged in transit"),
    RETURN_AND_REFUND: (
        "Item doesn't fit",
        "Item doesn't match description",
        "Defective item",
        "No longer needed",
        "Color or pattern not as expected",
    ),
}
# Share of delivered orders that get a late refund (see the module docstring) — higher where
# the order already had a return, whose buyer comes back 1–8 days after that request — the
# window it is requested in (days after the order), the share of the line's price it pays
# (percent) and its reasons.
_LATE_REFUND_RATE = 0.03
_SECOND_REQUEST_RATE = 0.3
_LATE_REFUND_DAYS = (4, 38)
_SECOND_REQUEST_DAYS = (1, 8)
_LATE_REFUND_SHARE = (20, 60)
_LATE_REFUND_REASONS = ("Item stopped working", "Parts missing after use")
# Reasons for which the seller also refunds the shipping fee the buyer paid.
_SHIPPING_REFUNDED_REASONS = frozenset(
    {"Package wasn't received", "Item damaged in transit", "Defective item"}
)


@dataclass(frozen=True)
class ReturnRequest:
    """A buyer's after-sales request on a delivered order; `steps` are (time, status)."""

    return_id: str
    order: Order
    return_type: str
    line_items: tuple[LineItem, ...]
    return_reason: str
    steps: tuple[tuple[int, str], ...]
    refund_shipping_fee: Decimal = ZERO
    # A refund of part of one line's price (a goodwill or damage refund); None: full lines.
    partial_refund: Decimal | None = None

    def __post_init__(self) -> None:
        times = [t for t, _ in self.steps]
        if not self.steps or self.steps[0][1] != RETURN_PENDING or times != sorted(times):
            raise ValueError(f"return {self.return_id}: steps must start PENDING, in time order")
        if not self.line_items:
            raise ValueError(f"return {self.return_id}: a return names at least one line item")
        if self.partial_refund is not None and len(self.line_items) != 1:
            raise ValueError(f"return {self.return_id}: a partial refund is for one line")

    @property
    def create_time(self) -> int:
        return self.steps[0][0]

    @property
    def currency(self) -> str:
        return self.order.currency

    @property
    def refund_subtotal(self) -> Decimal:
        return sum((self._line_refund(li) for li in self.line_items), ZERO)

    def _line_refund(self, li: LineItem) -> Decimal:
        return li.sale_price if self.partial_refund is None else self.partial_refund

    @property
    def refund_tax(self) -> Decimal:
        """Tax refunded in proportion to the returned product value (US sales tax only)."""
        if not self.order.tax or not self.order.sub_total:
            return ZERO
        share = self.order.tax * self.refund_subtotal / self.order.sub_total
        return quantize_money(share, self.currency)

    @property
    def refund_total(self) -> Decimal:
        return self.refund_subtotal + self.refund_shipping_fee + self.refund_tax

    @cached_property
    def refund_time(self) -> int | None:
        """When the money went back to the buyer (the COMPLETE step), if it ever does."""
        return next((t for t, status in self.steps if status == RETURN_COMPLETE), None)

    def state_at(self, as_of: int) -> tuple[str, int] | None:
        """(status, update_time) at `as_of`; None before the request exists."""
        seen = [(t, status) for t, status in self.steps if t <= as_of]
        if not seen:
            return None
        update_time, status = seen[-1]
        return status, update_time

    def api_view(self, as_of: int) -> dict | None:
        """The object `POST /return_refund/202309/returns/search` lists in `return_orders`."""
        state = self.state_at(as_of)
        if state is None:
            return None
        status, update_time = state
        return {
            "return_id": self.return_id,
            "order_id": self.order.order_id,
            "return_type": self.return_type,
            "return_status": status,
            "role": "BUYER",
            "return_reason": self.return_reason,
            "return_reason_text": self.return_reason,
            "create_time": self.create_time,
            "update_time": update_time,
            "refund_amount": self._refund_view(
                self.refund_subtotal, self.refund_shipping_fee, self.refund_tax
            ),
            "return_line_items": [self._line_view(k, li) for k, li in enumerate(self.line_items)],
            "return_tracking_number": (
                f"RT{self.return_id[-12:]}"
                if status in (BUYER_SHIPPED_ITEM, RETURN_COMPLETE)
                else ""
            ),
        }

    def _line_view(self, k: int, li: LineItem) -> dict:
        tax = ZERO
        if self.refund_subtotal:
            tax = quantize_money(
                self.refund_tax * self._line_refund(li) / self.refund_subtotal, self.currency
            )
        return {
            "return_line_item_id": f"{self.return_id}{k:02d}",
            "order_line_item_id": li.id,
            "sku_id": li.sku_id,
            "seller_sku": li.seller_sku,
            "product_name": li.product_name,
            "refund_amount": self._refund_view(self._line_refund(li), ZERO, tax),
        }

    def _refund_view(self, subtotal: Decimal, shipping: Decimal, tax: Decimal) -> dict:
        cur = self.currency
        return {
            "currency": cur,
            "refund_total": money_str(subtotal + shipping + tax, cur),
            "refund_subtotal": money_str(subtotal, cur),
            "refund_shipping_fee": money_str(shipping, cur),
            "refund_tax": money_str(tax, cur),
        }


@dataclass(frozen=True)
class Cancellation:
    """A cancellation with a refund: the order was paid, then cancelled before delivery (before
    shipment, or after it: a refused or undeliverable parcel)."""

    cancel_id: str
    order: Order
    create_time: int
    complete_time: int

    @property
    def role(self) -> str:
        return self.order.cancellation_initiator or "SYSTEM"

    @property
    def refund_total(self) -> Decimal:
        return self.order.total_amount

    def state_at(self, as_of: int) -> tuple[str, int] | None:
        if self.create_time > as_of:
            return None
        if self.complete_time <= as_of:
            return CANCELLATION_COMPLETE, self.complete_time
        return CANCELLATION_PENDING, self.create_time

    def api_view(self, as_of: int) -> dict | None:
        """The object `POST /return_refund/202309/cancellations/search` lists."""
        state = self.state_at(as_of)
        if state is None:
            return None
        status, update_time = state
        order, cur = self.order, self.order.currency
        return {
            "cancel_id": self.cancel_id,
            "order_id": order.order_id,
            "cancel_type": "BUYER_CANCEL" if self.role == "BUYER" else "CANCEL",
            "cancel_status": status,
            "role": self.role,
            "cancel_reason": order.cancel_reason,
            "cancel_reason_text": order.cancel_reason,
            "create_time": self.create_time,
            "update_time": update_time,
            "refund_amount": {
                "currency": cur,
                "refund_total": money_str(order.total_amount, cur),
                "refund_subtotal": money_str(order.sub_total, cur),
                "refund_shipping_fee": money_str(order.shipping_fee, cur),
                "refund_tax": money_str(order.tax, cur),
            },
            "cancel_line_items": [
                {
                    "cancel_line_item_id": f"{self.cancel_id}{k:02d}",
                    "order_line_item_id": li.id,
                    "sku_id": li.sku_id,
                    "seller_sku": li.seller_sku,
                    "product_name": li.product_name,
                }
                for k, li in enumerate(order.line_items)
            ],
        }


@dataclass(frozen=True)
class AfterSales:
    """Every return and cancellation of a dataset, indexed the way the API looks them up."""

    returns: tuple[ReturnRequest, ...]
    cancellations: tuple[Cancellation, ...]

    @cached_property
    def _returns_by_shop(self) -> dict[str, list[ReturnRequest]]:
        index: dict[str, list[ReturnRequest]] = {}
        for request in self.returns:
            index.setdefault(request.order.shop.shop_id, []).append(request)
        return index

    @cached_property
    def _cancellations_by_shop(self) -> dict[str, list[Cancellation]]:
        index: dict[str, list[Cancellation]] = {}
        for cancellation in self.cancellations:
            index.setdefault(cancellation.order.shop.shop_id, []).append(cancellation)
        return index

    def returns_for_shop(self, shop_id: str) -> list[ReturnRequest]:
        return self._returns_by_shop.get(shop_id, [])

    def cancellations_for_shop(self, shop_id: str) -> list[Cancellation]:
        return self._cancellations_by_shop.get(shop_id, [])


def build_after_sales(dataset: Dataset) -> AfterSales:
    """Returns for delivered orders and cancellations for paid-then-cancelled ones, the
    history's orders (created before the window) included."""
    seed = dataset.config.seed if dataset.config else 0
    returns = []
    cancellations = []
    for order in dataset.served_orders:
        if order.delivery_time is not None:
            request = _maybe_return(seed, order)
            late = _maybe_late_refund(seed, order, request)
            returns.extend(r for r in (request, late) if r is not None)
        elif order.cancel_time is not None and order.paid_time is not None:
            cancellations.append(_cancellation(seed, order))
    returns.sort(key=lambda r: (r.create_time, r.return_id))
    cancellations.sort(key=lambda c: (c.create_time, c.cancel_id))
    return AfterSales(tuple(returns), tuple(cancellations))


def _drawn(seed: int, order: Order, stream: str, rate: float) -> random.Random | None:
    """The order's own random stream for `stream`, if its first draw falls within `rate`."""
    rng = random.Random(f"{seed}:{order.order_id}:{stream}")
    return rng if rng.random() < rate else None


def _maybe_return(seed: int, order: Order) -> ReturnRequest | None:
    rng = _drawn(seed, order, "return", _RETURN_RATE)
    if rng is None:
        return None
    assert order.delivery_time is not None
    sellable = [li for li in order.line_items if not li.is_gift]
    if not sellable:
        return None
    return_type = REFUND_ONLY if rng.random() < 0.4 else RETURN_AND_REFUND
    reason = rng.choice(_RETURN_REASONS[return_type])
    count = rng.randint(1, len(sellable))
    lines = tuple(sorted(rng.sample(sellable, count), key=lambda li: li.id))
    created = order.delivery_time + rng.randint(2 * HOUR, 6 * DAY)
    approved = created + rng.randint(4 * HOUR, 30 * HOUR)
    outcome = rng.random()
    if return_type == REFUND_ONLY:
        if outcome < 0.12:
            steps = ((created, RETURN_PENDING), (approved, RETURN_REJECTED))
        else:
            refunded = approved + rng.randint(HOUR, 24 * HOUR)
            steps = (
                (created, RETURN_PENDING),
                (approved, RETURN_APPROVED),
                (refunded, RETURN_COMPLETE),
            )
    elif outcome < 0.15:
        given_up = approved + rng.randint(DAY, 3 * DAY)
        steps = (
            (created, RETURN_PENDING),
            (approved, AWAITING_BUYER_SHIP),
            (given_up, RETURN_CANCELLED),
        )
    else:
        shipped = approved + rng.randint(DAY, 4 * DAY)
        received = shipped + rng.randint(2 * DAY, 6 * DAY)
        steps = (
            (created, RETURN_PENDING),
            (approved, AWAITING_BUYER_SHIP),
            (shipped, BUYER_SHIPPED_ITEM),
            (received, RETURN_COMPLETE),
        )
    whole_order = len(lines) == len(sellable)
    shipping = order.shipping_fee if whole_order and reason in _SHIPPING_REFUNDED_REASONS else ZERO
    return ReturnRequest(
        return_id=f"46{order.order_id[2:]}",
        order=order,
        return_type=return_type,
        line_items=lines,
        return_reason=reason,
        steps=steps,
        refund_shipping_fee=shipping,
    )


def _maybe_late_refund(
    seed: int, order: Order, earlier: ReturnRequest | None
) -> ReturnRequest | None:
    """A refund-only request for part of one line not returned `earlier`, weeks after the
    order (its own random stream)."""
    rate = _LATE_REFUND_RATE if earlier is None else _SECOND_REQUEST_RATE
    rng = _drawn(seed, order, "late-refund", rate)
    if rng is None:
        return None
    assert order.delivery_time is not None
    returned = {li.id for li in earlier.line_items} if earlier else set()
    sellable = [li for li in order.line_items if not li.is_gift and li.id not in returned]
    if not sellable:
        return None
    if earlier is None:
        first, last = (order.create_time + days * DAY for days in _LATE_REFUND_DAYS)
        first = max(first, order.delivery_time + 2 * HOUR)
    else:
        first, last = (earlier.create_time + days * DAY for days in _SECOND_REQUEST_DAYS)
    created = rng.randint(first, last)
    approved = created + rng.randint(4 * HOUR, 30 * HOUR)
    refunded = approved + rng.randint(HOUR, 24 * HOUR)
    line = rng.choice(sellable)
    share = Decimal(rng.randint(*_LATE_REFUND_SHARE)) / 100
    return ReturnRequest(
        return_id=f"47{order.order_id[2:]}",
        order=order,
        return_type=REFUND_ONLY,
        line_items=(line,),
        return_reason=rng.choice(_LATE_REFUND_REASONS),
        steps=((created, RETURN_PENDING), (approved, RETURN_APPROVED), (refunded, RETURN_COMPLETE)),
        partial_refund=quantize_money(line.sale_price * share, order.currency),
    )


def _cancellation(seed: int, order: Order) -> Cancellation:
    """Buyer requests wait for the seller's answer a while; seller/system ones complete at once."""
    assert order.cancel_time is not None
    rng = random.Random(f"{seed}:{order.order_id}:cancellation")
    waited = rng.randint(10 * 60, 6 * HOUR) if order.cancellation_initiator == "BUYER" else 0
    paid = order.paid_time or order.create_time
    created = max(paid, order.cancel_time - waited)
    return Cancellation(
        cancel_id=f"45{order.order_id[2:]}",
        order=order,
        create_time=created,
        complete_time=order.cancel_time,
    )
