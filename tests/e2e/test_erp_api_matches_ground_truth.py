"""After the full refresh, the warehouse's ERP API lines are exactly the 领星 emulator's truth.

Every expected value comes from `lingxing_api_truth` (plain Python over the generator's
orders), never from the SQL under test."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal

import duckdb

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


def test_orders_from_both_channels_keep_only_the_api_lines(loaded_warehouse):
    home, _, _, _ = loaded_warehouse
    both = warehouse_rows(
        home,
        "select order_id from intermediate.int_erp_fulfilment_lines "
        "group by order_id having count(distinct erp_channel) > 1",
    )
    assert both == []
    channels = dict(
        warehouse_rows(
            home,
            "select erp_channel, count(*) from intermediate.int_erp_fulfilment_lines group by 1",
        )
    )
    assert channels.get("api", 0) > 0 and channels.get("file", 0) >= 0
