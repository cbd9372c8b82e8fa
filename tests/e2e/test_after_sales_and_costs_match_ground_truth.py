"""fct_cancellations, fct_return_lines and dim_sku_costs against the sandbox generator's own
records (not the API pages the pipeline read): every cancellation's asker, state, refund and
refund day; every returned unit's product, SKU and refund, adding up to its request; every
ERP vendor's SKU costs. Read from the shared e2e warehouse (no pipeline run of their own)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from sandbox.erp_exports import SKU_LANDED_COST, erp_export_truth
from sandbox.ground_truth import loaded_from, loaded_orders, loaded_returns, local_date
from tests.e2e.test_refresh_matches_ground_truth import serving_rows

pytestmark = pytest.mark.e2e

START_OF_TIME = date(1970, 1, 1)


def test_every_cancellation_names_who_asked_its_state_refund_and_refund_day(loaded_warehouse):
    home, sandbox, *_ = loaded_warehouse
    as_of, start = sandbox.as_of(), loaded_from(sandbox.dataset)
    expected = {}
    for cancellation in sandbox.api.after_sales.cancellations:
        state = cancellation.state_at(as_of)
        if state is None or state[1] < start:  # not yet, or last changed before the history
            continue
        shop = cancellation.order.shop
        refunded = cancellation.complete_time <= as_of
        expected[cancellation.cancel_id] = (
            shop.shop_id,
            cancellation.order.order_id,
            cancellation.role,
            state[0],
            refunded,
            cancellation.refund_total,
            local_date(shop, cancellation.create_time),
            local_date(shop, cancellation.complete_time) if refunded else None,
            len(cancellation.order.line_items),
        )
    rows = serving_rows(
        home,
        "select cancel_id, shop_id, order_id, requested_by, cancel_status, is_refunded, "
        "refund_total_amount, requested_local_date, refunded_local_date, units_cancelled "
        "from marts.fct_cancellations",
    )
    actual = {row[0]: tuple(row[1:]) for row in rows}
    assert {v[2] for v in expected.values()} >= {"BUYER", "SELLER"}, "both askers must occur"
    assert {v[4] for v in expected.values()} == {True, False}, "owed and paid refunds must occur"
    differences = [
        (cid, actual.get(cid), expected.get(cid))
        for cid in set(actual) | set(expected)
        if actual.get(cid) != expected.get(cid)
    ]
    assert not differences, sorted(differences, key=str)[:10]


def test_every_returned_unit_has_its_product_sku_and_refund_and_adds_up_to_its_request(
    loaded_warehouse,
):
    home, sandbox, *_ = loaded_warehouse
    as_of = sandbox.as_of()
    # A return can name an order whose life ended before the loaded history: its unit is
    # kept, without the product only the order's line would tell.
    loaded = {order.order_id for order in loaded_orders(sandbox.dataset, as_of)}
    expected = {}
    for request in loaded_returns(sandbox.api.after_sales, as_of, loaded_from(sandbox.dataset)):
        for line in request.line_items:
            refund = line.sale_price if request.partial_refund is None else request.partial_refund
            expected[(request.return_id, line.id)] = (
                request.order.shop.shop_id,
                line.product_id if request.order.order_id in loaded else None,
                line.seller_sku,
                refund,
            )
    rows = serving_rows(
        home,
        "select return_id, line_item_id, shop_id, product_id, seller_sku, refund_subtotal_amount "
        "from marts.fct_return_lines",
    )
    actual = {
        (rid, lid): (shop, product, sku, amount) for rid, lid, shop, product, sku, amount in rows
    }
    assert len(rows) == len(actual), "one row per returned unit"
    assert any(r.partial_refund is not None for r in sandbox.api.after_sales.returns)
    differences = [
        (key, actual.get(key), expected.get(key))
        for key in set(actual) | set(expected)
        if actual.get(key) != expected.get(key)
    ]
    assert not differences, sorted(differences, key=str)[:10]
    # Each request's units add up to its refund subtotal and its unit count in fct_returns.
    per_request: dict[str, list[Decimal]] = defaultdict(list)
    for (return_id, _), (*_, amount) in actual.items():
        per_request[return_id].append(amount)
    requests = serving_rows(
        home, "select return_id, refund_subtotal_amount, units_returned from marts.fct_returns"
    )
    assert {rid: (subtotal, units) for rid, subtotal, units in requests} == {
        rid: (sum(amounts, Decimal(0)), len(amounts)) for rid, amounts in per_request.items()
    }


def test_sku_costs_are_kept_per_erp_vendor_with_their_landed_cost(loaded_warehouse):
    home, sandbox, *_ = loaded_warehouse
    truth = erp_export_truth(sandbox.dataset, sandbox.as_of())
    expected = {}
    for export in truth.files:
        if export.kind != SKU_LANDED_COST:
            continue
        for row in export.rows:
            key = (export.vendor, row["seller_sku"], row["effective_date"] or START_OF_TIME)
            expected[key] = (
                row["purchase_cost"],
                row["first_leg_freight"],
                row["purchase_cost"] + row["first_leg_freight"],
                True,  # one cost per vendor and SKU in the sample exports: each is current
            )
    rows = serving_rows(
        home,
        "select erp_vendor, seller_sku, effective_start, unit_purchase_cost_amount, "
        "unit_first_leg_freight_amount, unit_landed_cost_amount, is_current "
        "from marts.dim_sku_costs",
    )
    actual = {tuple(row[:3]): tuple(row[3:]) for row in rows}
    shared = {sku for _, sku, _ in expected}
    vendors_per_sku = {sku: {v for v, s, _ in expected if s == sku} for sku in shared}
    assert any(len(v) > 1 for v in vendors_per_sku.values()), (
        "some SKU code must be costed by two ERPs for the vendor key to matter"
    )
    assert actual == expected
