"""The sandbox's settlement model: what the finance endpoints and the e2e truth rely on."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from sandbox.after_sales import build_after_sales
from sandbox.finance import (
    ADJUSTMENT_TRANSACTION,
    ORDER_TRANSACTION,
    REFUND_TRANSACTION,
    UNEXPLAINED_REASON,
    build_finance,
    statement_cut_after,
    unexplained_adjustment_truth,
)
from sandbox.generator import DAY, ZERO, DatasetConfig, generate_dataset


@pytest.fixture(scope="module")
def world():
    dataset = generate_dataset(
        DatasetConfig(
            seed=3, start_date=date(2026, 9, 1), end_date=date(2026, 10, 31), shop_count=3
        )
    )
    after_sales = build_after_sales(dataset)
    return dataset, after_sales, build_finance(dataset, after_sales)


def test_each_delivered_order_settles_once_3_to_15_days_after_delivery(world):
    dataset, _, finance = world
    orders = {
        t.order.order_id: t
        for s in finance.statements
        for t in s.transactions
        if t.type == ORDER_TRANSACTION
    }
    delivered = [o for o in dataset.orders if o.delivery_time is not None]
    assert set(orders) == {o.order_id for o in delivered}
    for order in delivered:
        days = (orders[order.order_id].settle_time - order.delivery_time) / DAY
        assert 3 <= days < 16


def test_statements_are_cut_at_utc_midnight_after_their_transactions_settle(world):
    _, _, finance = world
    for statement in finance.statements:
        assert statement.statement_time % DAY == 0
        for t in statement.transactions:
            assert statement.statement_time == statement_cut_after(t.settle_time)
            assert statement.statement_time - DAY <= t.settle_time < statement.statement_time
        assert statement.payment.amount == statement.total("settlement")
        assert statement.payment.create_time > statement.statement_time


def test_refunds_and_late_adjustments_follow_their_order(world):
    _, after_sales, finance = world
    settled = finance.order_settle_time
    refunds = [
        t for s in finance.statements for t in s.transactions if t.type == REFUND_TRANSACTION
    ]
    refunded = {r.order.order_id for r in after_sales.returns if r.refund_time is not None}
    assert {t.order.order_id for t in refunds} == refunded
    assert all(t.revenue < 0 < t.fee for t in refunds)
    adjustments = finance.late_adjustments()
    assert adjustments and all(t.type == ADJUSTMENT_TRANSACTION for t in adjustments)
    assert all(t.settle_time >= settled[t.order.order_id] + 2 * DAY for t in adjustments)
    assert {t.adjustment > 0 for t in adjustments} == {True, False}


def test_unsettled_orders_leave_the_list_when_their_statement_is_cut(world):
    dataset, _, finance = world
    shop = dataset.shops[0]
    order = next(o for o in dataset.orders_for_shop(shop.shop_id) if o.delivery_time)
    cut = statement_cut_after(finance.order_settle_time[order.order_id])
    before = finance.unsettled_orders(dataset, shop.shop_id, cut - 1)
    after = finance.unsettled_orders(dataset, shop.shop_id, cut)
    assert order in before and order not in after


def test_one_adjustment_of_no_order_is_listed_with_its_shop_and_statement_day(world):
    dataset, _, finance = world
    (penalty,) = finance.unexplained_adjustments()
    assert penalty.order is None and penalty.adjustment_reason == UNEXPLAINED_REASON
    assert penalty.adjustment < 0 and penalty.settlement == penalty.adjustment
    assert penalty not in finance.late_adjustments()
    cut = penalty.statement_time
    assert unexplained_adjustment_truth(finance, cut - 1) == []
    (truth,) = unexplained_adjustment_truth(finance, cut)
    statement = finance.statement(truth.statement_id)
    assert statement is not None and penalty in statement.transactions
    assert (truth.shop_id, truth.amount) == (penalty.shop.shop_id, penalty.adjustment)
    assert statement.payment.amount == statement.total("settlement")
    start, end = dataset.config.start_date, dataset.config.end_date
    assert start < truth.statement_local_date <= end


def test_a_creators_commission_comes_out_of_its_orders_fee_and_nothing_else(world):
    dataset, after_sales, finance = world
    commissions = {o.order_id: Decimal("1.25") for o in dataset.orders[::7]}
    charged = build_finance(dataset, after_sales, commissions)

    def by_id(f):
        return {t.transaction_id: t for s in f.statements for t in s.transactions}

    plain, with_commission = by_id(finance), by_id(charged)
    assert set(plain) == set(with_commission)
    for transaction_id, before in plain.items():
        after = with_commission[transaction_id]
        owed = ZERO
        if before.type == ORDER_TRANSACTION:
            owed = commissions.get(before.order.order_id, ZERO)
        assert after.affiliate_commission == -owed
        assert after.fee == before.fee - owed
        assert after.settlement == before.settlement - owed
    assert any(t.affiliate_commission for t in with_commission.values())
