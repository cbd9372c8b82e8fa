"""Sample ERP exports: vendors by region, determinism, and the discrepancies the truth promises.

These check the writer's truth against the generated orders directly; reading the files
back is the reader's test (tests/unit/connectors/test_erp_files.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sandbox.erp_exports import (
    BROKEN_CASES,
    DIANXIAOMI,
    LINGXING,
    MABANG,
    VENDORS,
    erp_export_truth,
    vendor_for_shop,
    write_broken_erp_files,
    write_erp_exports,
)
from sandbox.generator import SHOPS, Dataset, DatasetConfig, generate_dataset

AS_OF = int(datetime(2026, 11, 12, 12, 0, tzinfo=UTC).timestamp())
BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def dataset():
    return generate_dataset(DatasetConfig(7, date(2026, 11, 1), date(2026, 11, 10), 5))


@pytest.fixture(scope="module")
def truth(dataset):
    return erp_export_truth(dataset, AS_OF)


def _order_rows(truth):
    return [row for vendor in VENDORS for row in truth.file(vendor, "order_fulfilment").rows]


def _shipped(dataset):
    return {o.order_id: o for o in dataset.orders if o.rts_time and o.rts_time <= AS_OF}


def test_vendors_follow_the_shops_region_including_markets_added_later():
    by_region = {shop.region: vendor_for_shop(shop) for shop in SHOPS}
    assert by_region["US"] == LINGXING
    assert by_region["GB"] == by_region["ID"] == MABANG
    assert by_region["TH"] == by_region["MY"] == by_region["VN"] == DIANXIAOMI
    japan = dataclasses.replace(SHOPS[0], shop_id="1", region="JP", currency="JPY")
    assert vendor_for_shop(japan) == DIANXIAOMI


def test_same_dataset_gives_byte_identical_files(dataset, tmp_path):
    first = write_erp_exports(dataset, tmp_path / "a", AS_OF)
    again = write_erp_exports(dataset, tmp_path / "b", AS_OF)
    assert [p.name for p in first] == [p.name for p in again]
    for a, b in zip(first, again, strict=True):
        assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()
    assert erp_export_truth(dataset, AS_OF) == erp_export_truth(dataset, AS_OF)


def test_one_file_of_each_kind_per_vendor_with_the_usual_suffix(dataset, tmp_path):
    names = sorted(p.name for p in write_erp_exports(dataset, tmp_path, AS_OF))
    assert names == sorted(
        f"{vendor}_{stem}_20261112.{'xlsx' if vendor == LINGXING else 'csv'}"
        for vendor in VENDORS
        for stem in ("orders", "sku_costs", "inventory")
    )


def test_vendors_without_shops_write_nothing(dataset, tmp_path):
    us_only = [s for s in dataset.shops if s.region == "US"]
    small = Dataset(us_only, [o for o in dataset.orders if o.shop in us_only], dataset.config)
    paths = write_erp_exports(small, tmp_path, AS_OF)
    assert {p.name.split("_")[0] for p in paths} == {LINGXING}


def test_unknown_vendor_or_format_is_refused(dataset):
    with pytest.raises(ValueError, match="formats"):
        erp_export_truth(dataset, AS_OF, formats={LINGXING: "xls"})
    with pytest.raises(ValueError, match="formats"):
        erp_export_truth(dataset, AS_OF, formats={"jijia": "xlsx"})


def test_every_order_shipped_by_as_of_is_exported_or_listed_missing(dataset, truth):
    shipped = _shipped(dataset)
    assert truth.exported_orders | truth.missing_orders == set(shipped)
    assert not truth.exported_orders & truth.missing_orders
    assert 0 < len(truth.missing_orders) < len(shipped) * 0.1
    assert {row["platform_order_id"] for row in _order_rows(truth)} == truth.exported_orders


def test_package_lines_carry_every_unit_of_the_tiktok_order(dataset, truth):
    shipped = _shipped(dataset)
    units: Counter = Counter()
    for row in _order_rows(truth):
        units[row["platform_order_id"], row["seller_sku"]] += row["quantity"]
    expected = Counter(
        (order_id, line.seller_sku)
        for order_id in truth.exported_orders
        for line in shipped[order_id].line_items
    )
    assert units == expected


def test_split_orders_ship_as_two_packages(truth):
    assert truth.split_orders
    packages: dict[str, set[str]] = {}
    for row in _order_rows(truth):
        packages.setdefault(row["platform_order_id"], set()).add(row["erp_order_no"])
    for order_id, numbers in packages.items():
        assert numbers == set(truth.split_orders.get(order_id, numbers))
        assert len(numbers) == (2 if order_id in truth.split_orders else 1)


def test_shipping_cost_sits_on_each_packages_first_line_only(truth):
    costs = Counter()
    for row in _order_rows(truth):
        costs[row["erp_order_no"]] += row["shipping_cost"] is not None
    assert set(costs.values()) == {1}


def test_shipped_at_is_tiktoks_ready_to_ship_time_at_the_vendors_precision(dataset, truth):
    shipped = _shipped(dataset)
    for vendor in VENDORS:
        precision = 60 if vendor == DIANXIAOMI else 1
        for row in truth.file(vendor, "order_fulfilment").rows:
            rts = shipped[row["platform_order_id"]].rts_time
            assert row["shipped_at"] == datetime.fromtimestamp(rts - rts % precision, UTC)


def test_sign_for_is_delivery_time_or_up_to_two_days_later_and_never_after_as_of(dataset, truth):
    shipped = _shipped(dataset)
    assert truth.late_sign_for
    for row in _order_rows(truth):
        order = shipped[row["platform_order_id"]]
        signed = row["signed_for_at"]
        if signed is None:
            continue
        delivered = datetime.fromtimestamp(order.delivery_time, UTC)
        assert signed <= datetime.fromtimestamp(AS_OF, UTC)
        assert delivered - timedelta(minutes=1) < signed <= delivered + timedelta(days=2)
        if order.order_id in truth.late_sign_for:
            assert signed > delivered
    assert all(0 < lag <= 2 * 86400 for lag in truth.late_sign_for.values())


def test_order_costs_match_the_vendors_sku_cost_export(truth):
    for vendor in VENDORS:
        costs = {r["seller_sku"]: r for r in truth.file(vendor, "sku_landed_cost").rows}
        for row in truth.file(vendor, "order_fulfilment").rows:
            sku = costs[row["seller_sku"]]
            assert row["purchase_cost"] == sku["purchase_cost"] > 0
            assert row["first_leg_freight"] == sku["first_leg_freight"]
            assert row["shipping_cost_currency"] == sku["currency"] == "CNY"


def test_inventory_is_every_sku_in_every_warehouse_on_the_beijing_day_of_as_of(truth):
    beijing_day = datetime.fromtimestamp(AS_OF, BEIJING).date()
    for vendor in VENDORS:
        skus = {r["seller_sku"] for r in truth.file(vendor, "sku_landed_cost").rows}
        stock = truth.file(vendor, "inventory_snapshot").rows
        warehouses = {r["warehouse"] for r in stock}
        assert (
            len(stock)
            == len(skus) * len(warehouses)
            == len({(r["seller_sku"], r["warehouse"]) for r in stock})
        )
        assert {r["snapshot_date"] for r in stock} == {beijing_day}
        assert all(r["on_hand"] >= 0 and r["in_transit"] >= 0 for r in stock)


def test_source_rows_count_from_two_below_the_header(truth):
    for file in truth.files:
        assert [r["source_row"] for r in file.rows] == list(range(2, len(file.rows) + 2))


def test_broken_files_cover_every_case_and_exist(dataset, tmp_path):
    broken = write_broken_erp_files(dataset, tmp_path, AS_OF)
    assert tuple(b.case for b in broken) == tuple(BROKEN_CASES)
    assert all(b.path.is_file() for b in broken)
