"""Settlement: the money side of the sandbox's orders, as TikTok Shop's finance API shows it.

Derived from the generated orders and returns, never the other way round. The reference fixes
the shape: statements are cut daily at 00:00 UTC, an order settles roughly 3-15 days after
delivery, adjustments can arrive later, and amounts are decimal strings in the shop's
settlement currency (`revenue_amount`, `fee_amount`, `adjustment_amount`,
`shipping_cost_amount`, `settlement_amount`). The split of an order's money into those
amounts is the sandbox's own model (the reference does not give TikTok's fee schedule):

- ORDER transaction: revenue = product price after the seller's discount (platform-funded
  discounts are paid back by the platform) + the shipping fee the buyer paid; fee = minus the
  market's commission rate on that revenue; shipping cost = minus the carrier's charge
  (`original_shipping_fee`); settlement = the sum.
- REFUND transaction (a return refunded, or refunded before settlement): revenue = minus the
  refunded goods and shipping fee, fee = the commission on them given back.
- ADJUSTMENT transaction: a late correction 2-30 days after the order settled (logistics
  reimbursement, shipping-fee correction, platform compensation), on ~4% of settled orders;
  these are the "late finance adjustments" the ground truth lists.
- Affiliate commission: an order a creator sold pays the creator's commission (the affiliate
  order's estimated commission) out of its ORDER transaction's fee, shown apart as
  `affiliate_commission_amount` (a field of TikTok's statement transactions, 202309); the
  sandbox charges it once and gives none back on refunds.
- One unexplained adjustment (a known discrepancy for the settlement reconciliation, issue
  #14): a shop-level PLATFORM_PENALTY with no order, two thirds into the window, that no
  order, fee or refund explains (`unexplained_adjustment_truth`).

A transaction belongs to the statement cut at the first 00:00 UTC after it settles; the
statement is visible from its cut. Each statement is paid out by one payment, PROCESSING
until its paid time. Unsettled orders are paid, not cancelled orders whose ORDER transaction
is not yet in a visible statement.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from sandbox.after_sales import AfterSales
from sandbox.generator import DAY, HOUR, ZERO, Dataset, Order, Shop, quantize_money
from sandbox.ground_truth import local_date

ORDER_TRANSACTION = "ORDER"
REFUND_TRANSACTION = "REFUND"
ADJUSTMENT_TRANSACTION = "ADJUSTMENT"
TRANSACTION_TYPES = (ORDER_TRANSACTION, REFUND_TRANSACTION, ADJUSTMENT_TRANSACTION)

PAYMENT_PROCESSING = "PROCESSING"
PAYMENT_PAID = "PAID"

# Commission (platform + payment) per market: the sandbox's choice, of the public order of size.
_COMMISSION_RATE = {
    "US": Decimal("0.08"),
    "GB": Decimal("0.09"),
    "MX": Decimal("0.07"),
}
_DEFAULT_COMMISSION_RATE = Decimal("0.06")  # South-East Asia
_SETTLE_DAYS = (3, 15)
_ADJUSTMENT_RATE = 0.04
_ADJUSTMENT_DELAY_DAYS = (2, 30)
_ADJUSTMENT_REASONS = (
    ("LOGISTICS_REIMBURSEMENT", 1),
    ("SHIPPING_FEE_CORRECTION", -1),
    ("PLATFORM_COMPENSATION", 1),
)
UNEXPLAINED_REASON = "PLATFORM_PENALTY"
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def statement_cut_after(moment: int) -> int:
    """The 00:00 UTC cut of the statement a transaction settled at `moment` belongs to."""
    return (moment // DAY + 1) * DAY


def commission_rate(shop: Shop) -> Decimal:
    return _COMMISSION_RATE.get(shop.region, _DEFAULT_COMMISSION_RATE)


@dataclass(frozen=True)
class Transaction:
    """One line of a statement; amounts are signed, in the shop's settlement currency.
    `order` is None only for a shop-level adjustment (a penalty) that settles no order;
    `affiliate_commission` is the creator's part of `fee`, not an amount of its own."""

    transaction_id: str
    type: str
    shop: Shop
    order: Order | None
    settle_time: int
    revenue: Decimal
    fee: Decimal
    shipping_cost: Decimal
    adjustment: Decimal = ZERO
    adjustment_reason: str = ""
    affiliate_commission: Decimal = ZERO

    @property
    def settlement(self) -> Decimal:
        return self.revenue + self.fee + self.shipping_cost + self.adjustment

    @property
    def statement_time(self) -> int:
        return statement_cut_after(self.settle_time)

    @property
    def sort_time(self) -> int:
        """The API lists a statement's transactions by their order's creation time."""
        return self.settle_time if self.order is None else self.order.create_time


@dataclass(frozen=True)
class Payment:
    """The payout of one statement to the seller's bank account."""

    payment_id: str
    shop: Shop
    statement_id: str
    create_time: int
    paid_time: int
    amount: Decimal
    bank_account: str

    def status_at(self, as_of: int) -> str:
        return PAYMENT_PAID if self.paid_time <= as_of else PAYMENT_PROCESSING


@dataclass(frozen=True)
class Statement:
    """One shop's daily statement: every transaction that settled in the UTC day before its cut."""

    statement_id: str
    shop: Shop
    statement_time: int
    transactions: tuple[Transaction, ...]
    payment: Payment

    def total(self, amount: str) -> Decimal:
        return sum((getattr(t, amount) for t in self.transactions), ZERO)


@dataclass(frozen=True)
class Finance:
    """Every statement, transaction and payment the sandbox's orders ever produce."""

    statements: tuple[Statement, ...]
    order_settle_time: dict[str, int]  # order id -> when its ORDER transaction settled

    @cached_property
    def _statements_by_shop(self) -> dict[str, list[Statement]]:
        index: dict[str, list[Statement]] = defaultdict(list)
        for statement in self.statements:
            index[statement.shop.shop_id].append(statement)
        return index

    @cached_property
    def _by_id(self) -> dict[str, Statement]:
        return {s.statement_id: s for s in self.statements}

    def statements_for_shop(self, shop_id: str) -> list[Statement]:
        return self._statements_by_shop.get(shop_id, [])

    def statement(self, statement_id: str) -> Statement | None:
        return self._by_id.get(statement_id)

    def payments_for_shop(self, shop_id: str) -> list[Payment]:
        return [s.payment for s in self.statements_for_shop(shop_id)]

    def late_adjustments(self) -> list[Transaction]:
        """Corrections that reach a statement days or weeks after their order settled."""
        return [
            t
            for s in self.statements
            for t in s.transactions
            if t.type == ADJUSTMENT_TRANSACTION and t.order is not None
        ]

    def unexplained_adjustments(self) -> list[Transaction]:
        """The known discrepancy: adjustments of no order (no order, fee or refund explains them)."""
        return [t for s in self.statements for t in s.transactions if t.order is None]

    def unsettled_orders(self, dataset: Dataset, shop_id: str, as_of: int) -> list[Order]:
        """Paid, not cancelled orders whose settlement is not yet in a visible statement."""
        found = []
        for order in dataset.orders_for_shop(shop_id):
            if order.paid_time is None or order.paid_time > as_of:
                continue
            if order.cancel_time is not None and order.cancel_time <= as_of:
                continue
            settled = self.order_settle_time.get(order.order_id)
            if settled is None or statement_cut_after(settled) > as_of:
                found.append(order)
        return found


def build_finance(
    dataset: Dataset,
    after_sales: AfterSales,
    affiliate_commissions: Mapping[str, Decimal] | None = None,
) -> Finance:
    """Settle every delivered order, refund and late adjustment into daily statements;
    `affiliate_commissions` (order id -> the creator's commission) come out of the orders' fees."""
    commissions = affiliate_commissions or {}
    seed = dataset.config.seed if dataset.config else 7
    refunds_by_order: dict[str, list] = defaultdict(list)
    for request in after_sales.returns:
        if request.refund_time is not None:
            refunds_by_order[request.order.order_id].append(request)
    transactions: list[Transaction] = []
    settle_times: dict[str, int] = {}
    for order in dataset.orders:
        if order.delivery_time is None:
            continue
        rng = random.Random(f"{seed}:finance:{order.order_id}")
        settle_time = (
            order.delivery_time + rng.randint(*_SETTLE_DAYS) * DAY + rng.randint(0, 8) * HOUR
        )
        settle_times[order.order_id] = settle_time
        commission = commissions.get(order.order_id, ZERO)
        transactions.append(_order_transaction(order, settle_time, commission))
        for request in refunds_by_order.get(order.order_id, []):
            transactions.append(_refund_transaction(request, max(settle_time, request.refund_time)))
        if rng.random() < _ADJUSTMENT_RATE:
            transactions.append(_adjustment(order, settle_time, rng))
    penalty = _unexplained_adjustment(dataset, seed)
    if penalty is not None:
        transactions.append(penalty)
    return Finance(_statements(transactions, seed), settle_times)


def order_amounts(order: Order) -> tuple[Decimal, Decimal, Decimal]:
    """(revenue, fee, shipping cost) an order settles with; also its unsettled estimate."""
    revenue = order.sub_total + order.platform_discount + order.shipping_fee
    carrier = (
        order.shipping_fee if order.original_shipping_fee is None else order.original_shipping_fee
    )
    fee = -quantize_money(revenue * commission_rate(order.shop), order.currency)
    return revenue, fee, -carrier


def _order_transaction(order: Order, settle_time: int, commission: Decimal) -> Transaction:
    revenue, fee, shipping_cost = order_amounts(order)
    return Transaction(
        transaction_id=_digits("txn", order.order_id, ORDER_TRANSACTION),
        type=ORDER_TRANSACTION,
        shop=order.shop,
        order=order,
        settle_time=settle_time,
        revenue=revenue,
        fee=fee - commission,
        shipping_cost=shipping_cost,
        affiliate_commission=-commission,
    )


def _refund_transaction(request, settle_time: int) -> Transaction:
    order = request.order
    refunded = request.refund_subtotal + request.refund_shipping_fee
    returned_fee = quantize_money(refunded * commission_rate(order.shop), order.currency)
    return Transaction(
        transaction_id=_digits("txn", request.return_id, REFUND_TRANSACTION),
        type=REFUND_TRANSACTION,
        shop=order.shop,
        order=order,
        settle_time=settle_time,
        revenue=-refunded,
        fee=returned_fee,
        shipping_cost=ZERO,
    )


def _adjustment(order: Order, settle_time: int, rng: random.Random) -> Transaction:
    reason, sign = rng.choice(_ADJUSTMENT_REASONS)
    base = order.original_shipping_fee or order.shipping_fee or order.sub_total / 10
    amount = quantize_money(base * Decimal(str(round(rng.uniform(0.2, 1.0), 2))), order.currency)
    delay = rng.randint(*_ADJUSTMENT_DELAY_DAYS) * DAY + rng.randint(0, 20) * HOUR
    return Transaction(
        transaction_id=_digits("txn", order.order_id, ADJUSTMENT_TRANSACTION),
        type=ADJUSTMENT_TRANSACTION,
        shop=order.shop,
        order=order,
        settle_time=settle_time + delay,
        revenue=ZERO,
        fee=ZERO,
        shipping_cost=ZERO,
        adjustment=sign * amount,
        adjustment_reason=reason,
    )


def _unexplained_adjustment(dataset: Dataset, seed: int) -> Transaction | None:
    """A PLATFORM_PENALTY of no order on one shop, settled two thirds into the window: about
    half an order's subtotal taken off a statement that its orders, fees and refunds do not
    account for."""
    config = dataset.config
    if config is None or not dataset.orders:
        return None
    rng = random.Random(f"{seed}:finance:unexplained")
    shop = rng.choice(dataset.shops)
    orders = dataset.orders_for_shop(shop.shop_id) or list(dataset.orders)
    day = config.start_date + timedelta(days=(config.end_date - config.start_date).days * 2 // 3)
    settle_time = (day.toordinal() - _EPOCH_ORDINAL) * DAY + rng.randint(6, 18) * HOUR
    amount = quantize_money(orders[0].sub_total * Decimal("0.6"), shop.currency)
    return Transaction(
        transaction_id=_digits("txn", shop.shop_id, str(settle_time), UNEXPLAINED_REASON),
        type=ADJUSTMENT_TRANSACTION,
        shop=shop,
        order=None,
        settle_time=settle_time,
        revenue=ZERO,
        fee=ZERO,
        shipping_cost=ZERO,
        adjustment=-amount,
        adjustment_reason=UNEXPLAINED_REASON,
    )


def _statements(transactions: list[Transaction], seed: int) -> tuple[Statement, ...]:
    grouped: dict[tuple[str, int], list[Transaction]] = defaultdict(list)
    shops: dict[str, Shop] = {}
    for transaction in transactions:
        shop = transaction.shop
        shops[shop.shop_id] = shop
        grouped[(shop.shop_id, transaction.statement_time)].append(transaction)
    statements = []
    for (shop_id, cut), members in sorted(grouped.items()):
        shop = shops[shop_id]
        statement_id = _digits("stmt", shop_id, str(cut))
        rng = random.Random(f"{seed}:payout:{statement_id}")
        create_time = cut + rng.randint(4, 10) * HOUR
        members.sort(key=lambda t: (t.sort_time, t.transaction_id))
        amount = sum((t.settlement for t in members), ZERO)
        payment = Payment(
            payment_id=_digits("pay", statement_id),
            shop=shop,
            statement_id=statement_id,
            create_time=create_time,
            paid_time=create_time + rng.randint(1, 3) * DAY + rng.randint(0, 12) * HOUR,
            amount=amount,
            bank_account="****" + _digits("bank", shop_id)[-4:],
        )
        statements.append(Statement(statement_id, shop, cut, tuple(members), payment))
    return tuple(statements)


def _digits(*parts: str) -> str:
    """A stable 18-digit id from its parts (TikTok ids are long digit strings)."""
    digest = hashlib.sha256(":".join(parts).encode()).hexdigest()
    return str(int(digest[:15], 16)).rjust(18, "7")[:18]


@dataclass(frozen=True)
class SettlementTruth:
    """One statement transaction as the warehouse must hold it."""

    statement_id: str
    shop_id: str
    transaction_type: str
    order_id: str | None
    settlement_amount: Decimal
    adjustment_amount: Decimal


def settlement_truth(finance: Finance, as_of: int) -> dict[str, SettlementTruth]:
    """Every transaction of every statement cut by `as_of`, keyed by transaction id."""
    return {
        t.transaction_id: SettlementTruth(
            statement.statement_id,
            statement.shop.shop_id,
            t.type,
            None if t.order is None else t.order.order_id,
            t.settlement,
            t.adjustment,
        )
        for statement in finance.statements
        if statement.statement_time <= as_of
        for t in statement.transactions
    }


def payment_truth(finance: Finance, as_of: int) -> dict[str, tuple[str, Decimal]]:
    """payment id -> (status, amount) for every payout created by `as_of`."""
    return {
        s.payment.payment_id: (s.payment.status_at(as_of), s.payment.amount)
        for s in finance.statements
        if s.payment.create_time <= as_of
    }


@dataclass(frozen=True)
class UnexplainedAdjustment:
    """An adjustment of no order, where the settlement reconciliation must flag it."""

    transaction_id: str
    shop_id: str
    statement_id: str
    statement_local_date: date  # the statement cut's day in the shop's time zone
    amount: Decimal


def unexplained_adjustment_truth(finance: Finance, as_of: int) -> list[UnexplainedAdjustment]:
    """The unexplained adjustments in statements cut by `as_of`, with their shop and day."""
    return [
        UnexplainedAdjustment(
            t.transaction_id,
            statement.shop.shop_id,
            statement.statement_id,
            local_date(statement.shop, statement.statement_time),
            t.adjustment,
        )
        for statement in finance.statements
        if statement.statement_time <= as_of
        for t in statement.transactions
        if t.order is None
    ]
