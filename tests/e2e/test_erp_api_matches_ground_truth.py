"""After the full refresh, the warehouse's ERP API lines are exactly the 领星 emulator's truth.

Every expected value comes from `lingxing_api_truth` (plain Python over the generator's
orders), never from the SQL under test."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal

import duckdb

from sandbox.erp_exports import erp_export_truth
from sandbox.lingxing_api import STATUS_SHIPPED, lingxing_api_truth

LINE_COLUMNS = (
    "order_id, erp_package_no, seller_sku, quantity, warehouse, tracking_number, "
    "shipped_at_utc, shipping_cost_amount, unit_purchase_cost_cny"
)


def warehouse_rows(home, sql: str) -> list[tuple]:
    connection = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def expected_line(line: dict) -> tuple:
    shipped = line["shipped_at"].astimezone(UTC).replace(tzinfo=None)
    cost = line["shipping_cost"]
    return (
        line["order_id"],
        line["erp_package_no"],
        line["seller_sku"],
        line["quantity"],
        line["warehouse"],
        line["tracking_number"],
        shipped,
        Decimal(cost) if cost is not None else None,
        Decimal(line["unit_purchase_cost_cny"]),
    )


def test_api_fulfilment_lines_match_the_emulator_truth(loaded_warehouse):
    home, sandbox, _, _ = loaded_warehouse
    truth = lingxing_api_truth(sandbox.dataset, sandbox.as_of())
    api_lines = warehouse_rows(
        home,
        f"select {LINE_COLUMNS} from intermediate.int_erp_fulfilment_lines "
        "where erp_channel = 'api'",
    )
    assert sorted(api_lines) == sorted(expected_line(line) for line in truth.shipped_lines)
    assert truth.split_orders, "the sandbox should split some orders into two packages"


def test_erp_order_statuses_match_and_missing_orders_stay_missing(loaded_warehouse):
    home, sandbox, _, _ = loaded_warehouse
    truth = lingxing_api_truth(sandbox.dataset, sandbox.as_of())
    statuses = dict(
        warehouse_rows(home, "select erp_order_no, status_code from staging.stg_erp_api__orders")
    )
    assert statuses == truth.statuses
    assert set(truth.statuses.values()) >= {STATUS_SHIPPED, 5}
    loaded_orders = {
        order_id
        for (order_id,) in warehouse_rows(home, "select order_id from staging.stg_erp_api__orders")
    }
    assert truth.missing_orders and not truth.missing_orders & loaded_orders


def test_file_drop_lines_stay_only_for_orders_the_api_does_not_have(loaded_warehouse):
    home, sandbox, _, _ = loaded_warehouse
    api_orders = {
        line["order_id"]
        for line in lingxing_api_truth(sandbox.dataset, sandbox.as_of()).shipped_lines
    }
    exported = erp_export_truth(sandbox.dataset, sandbox.as_of()).exported_orders
    file_orders = {
        order_id
        for (order_id,) in warehouse_rows(
            home,
            "select distinct order_id from intermediate.int_erp_fulfilment_lines "
            "where erp_channel = 'file'",
        )
    }
    assert file_orders == exported - api_orders
    assert file_orders, "some exported orders never reached the ERP API in the sandbox"
