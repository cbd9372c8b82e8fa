"""After the shared refresh, the inventory marts match the sandbox's stock model.

Expected values come from `ground_truth.stock_truth` (the stock series the generator ran)
and from the generated orders in plain Python, never from the SQL under test."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import duckdb

from sandbox.generator import CANCELLED
from sandbox.ground_truth import loaded_orders, local_date, stock_truth

LOCAL_SKU_PREFIX = "LS-"  # the sandbox's Lingxing local SKU for an MSKU (sandbox/lingxing_api.py)


def serving_rows(home, sql: str) -> list[tuple]:
    connection = duckdb.connect(str(home / "serving" / "serving.duckdb"), read_only=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def test_on_hand_and_in_transit_per_sku_warehouse_and_snapshot_day_equal_the_truth(
    loaded_warehouse,
):
    home, sandbox, _, _ = loaded_warehouse
    truth = stock_truth(sandbox.dataset, sandbox.as_of())
    rows = serving_rows(
        home,
        "select seller_sku, warehouse, units_on_hand, units_in_transit, sku_mapping, "
        "snapshot_source from marts.fct_inventory_daily where not is_carried_forward",
    )
    assert rows
    seen = set()
    for seller_sku, warehouse, on_hand, in_transit, mapping, _ in rows:
        sku = seller_sku.removeprefix(LOCAL_SKU_PREFIX) if mapping == "unmapped" else seller_sku
        expected = truth[(warehouse, sku)]  # every snapshot shows the stock at the data clock
        assert (on_hand, in_transit) == (expected.on_hand, expected.in_transit), (warehouse, sku)
        seen.add((warehouse, sku))
    assert seen == set(truth)
    assert {r[5] for r in rows} == {"erp_file", "erp_api"}


def test_units_sold_and_stock_outs_on_the_snapshot_day_match_the_orders(loaded_warehouse):
    home, sandbox, _, _ = loaded_warehouse
    dataset, as_of = sandbox.dataset, sandbox.as_of()
    truth = stock_truth(dataset, as_of)
    [(day,)] = serving_rows(
        home,
        "select min(local_date) from marts.kpi_inventory_risk "
        "where not is_carried_forward and seller_sku not like 'LS-%'",
    )
    sold_7d: Counter = Counter()
    sold_28d: Counter = Counter()
    for order in loaded_orders(dataset, as_of):
        state = order.state_at(as_of)
        if state is None or "paid_time" not in state.times or state.status == CANCELLED:
            continue
        paid_day = local_date(order.shop, state.times["paid_time"])
        warehouse = dataset.stock.warehouse_of_shop[order.shop.shop_id]
        for line in order.line_items:
            if day - timedelta(days=7) < paid_day <= day:
                sold_7d[(warehouse, line.seller_sku)] += 1
            if day - timedelta(days=28) < paid_day <= day:
                sold_28d[(warehouse, line.seller_sku)] += 1
    rows = serving_rows(
        home,
        "select warehouse, seller_sku, units_sold_7d, units_sold_28d, units_on_hand, "
        "is_stocked_out, is_stock_out_risk, days_of_cover from marts.kpi_inventory_risk "
        f"where local_date = date '{day.isoformat()}' and not is_carried_forward",
    )
    assert {(w, s) for w, s, *_ in rows} == set(truth)
    for warehouse, seller_sku, u7, u28, on_hand, stocked_out, at_risk, cover in rows:
        pool = (warehouse, seller_sku)
        assert (u7, u28) == (sold_7d[pool], sold_28d[pool]), pool
        assert stocked_out == (truth[pool].on_hand == 0)
        if at_risk:
            assert on_hand > 0 and cover is not None and cover <= 14
    assert isinstance(day, date)


def test_viral_skus_stock_out_as_the_ground_truth_says(loaded_warehouse):
    _, sandbox, _, _ = loaded_warehouse
    truth = stock_truth(sandbox.dataset, sandbox.as_of())
    viral = [t for t in truth.values() if t.is_viral]
    assert len(viral) >= len(sandbox.dataset.shops) // 2
    assert all(t.stock_outs for t in viral)
