"""The sandbox stock model: sales deplete it, restocks refill it, viral SKUs stock out, and
the products API, ERP exports and ERP API all show the same series."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sandbox.erp_exports import INVENTORY_SNAPSHOT, erp_export_truth, stock_warehouse
from sandbox.generator import DatasetConfig, generate_dataset
from sandbox.lingxing_api import build_lingxing_data, inventory_rows
from sandbox.products import build_products

AS_OF = int(datetime(2026, 11, 20, 12, tzinfo=UTC).timestamp())


@pytest.fixture(scope="module")
def dataset():
    return generate_dataset(DatasetConfig(7, date(2026, 11, 1), date(2026, 11, 20), 25))


def test_stock_is_never_negative(dataset):
    levels = [lv for series in dataset.stock.levels.values() for lv in series]
    assert levels and all(lv.on_hand >= 0 and lv.in_transit >= 0 for lv in levels)


def test_every_order_fits_the_stock_it_reserved(dataset):
    """Available units fall by exactly the units of the orders created, net of cancellations."""
    model = dataset.stock
    for pool in sorted(model.viral_pools()) + sorted(model.levels)[:20]:
        series = model.levels[pool]
        reserved = 0
        for order in dataset.orders:
            if model.warehouse_of_shop[order.shop.shop_id] != pool[0]:
                continue
            units = sum(1 for li in order.line_items if li.seller_sku == pool[1])
            if order.create_time <= AS_OF and not (
                order.cancel_time and order.cancel_time <= AS_OF
            ):
                reserved += units
        arrived = sum(
            r.units
            for r in model.restocks
            if (r.warehouse, r.seller_sku) == pool and r.arrives_at <= AS_OF
        )
        assert model.level_at(pool, AS_OF).on_hand == series[0].on_hand + arrived - reserved


def test_restocks_travel_then_arrive(dataset):
    model = dataset.stock
    arrived = [r for r in model.restocks if r.arrives_at <= AS_OF]
    assert arrived
    for restock in arrived:
        pool = (restock.warehouse, restock.seller_sku)
        before = model.level_at(pool, restock.arrives_at - 1)
        after = model.level_at(pool, restock.arrives_at)
        assert 4 <= (restock.arrives_at - restock.ordered_at) // 86400 <= 8
        assert before.in_transit >= restock.units
        assert after.in_transit == before.in_transit - restock.units


def test_every_viral_sku_stocks_out_and_orders_stop_meanwhile(dataset):
    model = dataset.stock
    outs = model.stock_outs()
    assert len(model.viral_skus) == len(dataset.shops)
    for shop_id, seller_sku in model.viral_skus.items():
        pool = model.pool(shop_id, seller_sku)
        stretches = [o for o in outs if (o.warehouse, o.seller_sku) == pool]
        assert stretches, f"viral {pool} never stocks out"
        for out in stretches:
            end = out.end if out.end is not None else AS_OF * 2
            sold = [
                o
                for o in dataset.orders
                if out.start < o.create_time < end
                and model.warehouse_of_shop[o.shop.shop_id] == pool[0]
                and any(li.seller_sku == pool[1] for li in o.line_items)
            ]
            assert not sold
    assert model.dropped_orders > 0


def test_products_api_and_erp_show_the_same_series(dataset):
    model = dataset.stock
    checked = 0
    for products in build_products(dataset).values():
        for product in products:
            for sku in product.skus:
                counted_at = product.update_time_at(AS_OF)
                pool = (stock_warehouse(product.shop), sku.seller_sku)
                assert product.stock_at(sku, AS_OF) == model.level_at(pool, counted_at).on_hand
                checked += 1
    assert checked
    truth = erp_export_truth(dataset, AS_OF)
    rows = [r for f in truth.files if f.kind == INVENTORY_SNAPSHOT for r in f.rows]
    assert {(r["warehouse"], r["seller_sku"]) for r in rows} == set(model.levels)
    for row in rows:
        level = model.level_at((row["warehouse"], row["seller_sku"]), AS_OF)
        assert (row["on_hand"], row["in_transit"]) == (level.on_hand, level.in_transit)
    api = inventory_rows(dataset, build_lingxing_data(dataset), 7, AS_OF)
    assert {(r["warehouse_name"], r["sku"].removeprefix("LS-")) for r in api} == set(model.levels)
    for row in api:
        level = model.level_at((row["warehouse_name"], row["sku"].removeprefix("LS-")), AS_OF)
        assert (row["product_valid_num"], row["quantity_receive"]) == (
            level.on_hand,
            level.in_transit,
        )


def test_ground_truth_lists_viral_stock_outs(dataset):
    from sandbox.ground_truth import stock_truth

    truth = stock_truth(dataset, AS_OF)
    assert set(truth) == set(dataset.stock.levels)
    viral = [t for t in truth.values() if t.is_viral]
    assert viral and all(t.stock_outs for t in viral)
    assert all(start <= AS_OF for t in truth.values() for start, _ in t.stock_outs)
