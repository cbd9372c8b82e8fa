"""Settlement on real parts: the sandbox's finance API over HTTP → raw files → dbt staging.

Every expected value comes from the sandbox's plain-Python settlement model (sandbox/finance.py)."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from sandbox.finance import (
    ADJUSTMENT_TRANSACTION,
    order_amounts,
    payment_truth,
    settlement_truth,
)

pytestmark = pytest.mark.e2e


def warehouse_rows(home, sql: str):
    connection = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def test_every_statement_transaction_lands_with_its_statement_and_amounts(loaded_warehouse):
    home, sandbox, *_ = loaded_warehouse
    truth = settlement_truth(sandbox.finance, sandbox.as_of())
    rows = warehouse_rows(
        home,
        "select transaction_id, statement_id, shop_id, transaction_type, order_id, "
        "settlement_amount, adjustment_amount from staging.stg_tiktok_shop__statement_transactions",
    )
    landed = {
        tid: (statement, shop, kind, order, Decimal(str(net)), Decimal(str(adjustment)))
        for tid, statement, shop, kind, order, net, adjustment in rows
    }
    expected = {
        tid: (
            t.statement_id,
            t.shop_id,
            t.transaction_type,
            t.order_id,
            t.settlement_amount,
            t.adjustment_amount,
        )
        for tid, t in truth.items()
    }
    assert len(expected) > 100, "the window must settle enough orders to mean anything"
    assert any(t.transaction_type == ADJUSTMENT_TRANSACTION for t in truth.values())
    differences = [
        (tid, landed.get(tid), expected.get(tid))
        for tid in set(landed) | set(expected)
        if landed.get(tid) != expected.get(tid)
    ]
    assert not differences, sorted(differences, key=str)[:10]


def test_statements_add_up_and_payouts_carry_their_status(loaded_warehouse):
    home, sandbox, *_ = loaded_warehouse
    statements = dict(
        warehouse_rows(
            home,
            "select statement_id, settlement_amount from staging.stg_tiktok_shop__statements",
        )
    )
    visible = [s for s in sandbox.finance.statements if s.statement_time <= sandbox.as_of()]
    assert {s.statement_id: s.total("settlement") for s in visible} == {
        k: Decimal(str(v)) for k, v in statements.items()
    }
    payments = {
        pid: (status, Decimal(str(amount)))
        for pid, status, amount in warehouse_rows(
            home,
            "select payment_id, payment_status, payment_amount from staging.stg_tiktok_shop__payments",
        )
    }
    truth = payment_truth(sandbox.finance, sandbox.as_of())
    assert payments == truth
    assert {status for status, _ in truth.values()} == {"PAID", "PROCESSING"}


def test_unsettled_orders_are_exactly_the_paid_orders_not_yet_in_a_statement(loaded_warehouse):
    home, sandbox, *_ = loaded_warehouse
    as_of = sandbox.as_of()
    expected = {
        order.order_id
        for shop in sandbox.dataset.shops
        for order in sandbox.finance.unsettled_orders(sandbox.dataset, shop.shop_id, as_of)
    }
    landed = {
        order_id
        for (order_id,) in warehouse_rows(
            home, "select order_id from staging.stg_tiktok_shop__unsettled_orders"
        )
    }
    assert expected and landed == expected


def test_every_settled_transaction_says_whether_its_payout_reached_the_bank(loaded_warehouse):
    home, sandbox, *_ = loaded_warehouse
    truth = payment_truth(sandbox.finance, sandbox.as_of())
    payout_of = {s.statement_id: s.payment.payment_id for s in sandbox.finance.statements}
    rows = warehouse_rows(
        home, "select statement_id, payment_id, payout_status from marts.fct_settlements"
    )
    assert rows
    for statement_id, payment_id, payout_status in rows:
        assert payment_id == payout_of[statement_id]
        assert payout_status == truth[payment_id][0]


def test_unsettled_orders_per_tiktok_are_counted_in_their_paid_month(loaded_warehouse):
    """Every order TikTok lists as unsettled is a paid order of the loaded history, so the
    month counts add up to the list (and TikTok's estimates to their sum)."""
    home, sandbox, *_ = loaded_warehouse
    as_of = sandbox.as_of()
    unsettled = [
        order
        for shop in sandbox.dataset.shops
        for order in sandbox.finance.unsettled_orders(sandbox.dataset, shop.shop_id, as_of)
    ]
    ((orders, estimate),) = warehouse_rows(
        home,
        "select sum(orders_unsettled_per_tiktok), sum(estimated_unsettled_settlement_amount)"
        " from marts.kpi_settlement_monthly",
    )
    assert unsettled and orders == len(unsettled)
    assert Decimal(str(estimate)) == sum(sum(order_amounts(order)) for order in unsettled)
