"""Returns and cancellations derived from the orders: determinism, life cycles, money."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from sandbox.after_sales import (
    RETURN_COMPLETE,
    RETURN_PENDING,
    build_after_sales,
)
from sandbox.generator import DatasetConfig, generate_dataset

FAR_FUTURE = 2**40


@pytest.fixture(scope="module")
def dataset():
    return generate_dataset(
        DatasetConfig(seed=7, start_date=date(2026, 9, 1), end_date=date(2026, 9, 30))
    )


@pytest.fixture(scope="module")
def after_sales(dataset):
    return build_after_sales(dataset)


def test_same_dataset_gives_the_same_after_sales(dataset, after_sales):
    again = build_after_sales(dataset)
    assert [r.api_view(FAR_FUTURE) for r in again.returns] == [
        r.api_view(FAR_FUTURE) for r in after_sales.returns
    ]


def test_returns_only_follow_delivery_and_cover_that_orders_lines(after_sales):
    assert after_sales.returns
    for request in after_sales.returns:
        order = request.order
        assert order.delivery_time is not None and request.create_time > order.delivery_time
        assert {li.id for li in request.line_items} <= {li.id for li in order.line_items}
        assert not any(li.is_gift for li in request.line_items)


def test_every_life_cycle_starts_pending_and_the_mix_is_realistic(after_sales):
    finals = Counter(r.steps[-1][1] for r in after_sales.returns)
    assert all(r.steps[0][1] == RETURN_PENDING for r in after_sales.returns)
    assert finals[RETURN_COMPLETE] > sum(finals.values()) / 2
    assert len(finals) >= 3  # refunded, rejected and withdrawn all occur


def test_refund_is_visible_only_from_the_complete_step(after_sales):
    request = next(r for r in after_sales.returns if r.refund_time is not None)
    assert request.state_at(request.refund_time - 1)[0] != RETURN_COMPLETE
    assert request.state_at(request.refund_time) == (RETURN_COMPLETE, request.refund_time)
    assert request.state_at(request.create_time - 1) is None
    assert request.api_view(request.create_time - 1) is None


def test_refund_total_is_products_plus_shipping_plus_tax_as_strings(after_sales):
    for request in after_sales.returns[:200]:
        view = request.api_view(FAR_FUTURE)["refund_amount"]
        full_lines = sum(li.sale_price for li in request.line_items)
        if request.partial_refund is None:
            assert request.refund_subtotal == full_lines
        else:
            assert request.refund_subtotal == request.partial_refund < full_lines
        assert request.refund_total == (
            request.refund_subtotal + request.refund_shipping_fee + request.refund_tax
        )
        assert view["refund_total"] == f"{request.refund_total:.0f}" or view["refund_total"] == (
            f"{request.refund_total:.2f}"
        )


def test_cancellations_are_exactly_the_orders_cancelled_after_payment(dataset, after_sales):
    paid_then_cancelled = {
        o.order_id for o in dataset.orders if o.cancel_time is not None and o.paid_time is not None
    }
    assert {c.order.order_id for c in after_sales.cancellations} == paid_then_cancelled
    for cancellation in after_sales.cancellations:
        assert (
            cancellation.create_time <= cancellation.complete_time == cancellation.order.cancel_time
        )


def test_late_refunds_pay_part_of_one_line_weeks_later_and_some_orders_get_two_requests(
    after_sales,
):
    """Late refunds (id prefix 47): part of one line's price, 4-38 days after the order, or
    1-8 days after an earlier request on the same order, never for a line already returned."""
    late = [r for r in after_sales.returns if r.return_id.startswith("47")]
    assert late and all(r.partial_refund is not None for r in late)
    by_order: dict[str, list] = {}
    for request in after_sales.returns:
        by_order.setdefault(request.order.order_id, []).append(request)
    twice = [requests for requests in by_order.values() if len(requests) == 2]
    assert twice and max(len(requests) for requests in by_order.values()) == 2
    for first, second in (sorted(rs, key=lambda r: r.create_time) for rs in twice):
        assert second.return_id.startswith("47") and second.create_time > first.create_time
        assert not {li.id for li in first.line_items} & {li.id for li in second.line_items}
    alone = [r for r in late if len(by_order[r.order.order_id]) == 1]
    days_after_order = [(r.create_time - r.order.create_time) / 86400 for r in alone]
    assert alone and 4 <= min(days_after_order) and max(days_after_order) <= 38
    for request in late:
        (line,) = request.line_items
        assert 0 < request.partial_refund < line.sale_price
        view = request.api_view(FAR_FUTURE)
        assert (
            view["return_line_items"][0]["refund_amount"]["refund_subtotal"]
            == (view["refund_amount"]["refund_subtotal"])
        )
