"""Orders whose money cannot be trusted as sent (issue 16, item 10): a currency with no FX rate
(XAU), no currency, a negative product subtotal. They reach staging — the API sent them — and
the dbt test `orders_have_a_known_currency_and_no_negative_subtotal` warns, counting and naming
each one; nothing stops. Real raw order pages, real dbt runs, the real warehouse file."""

from __future__ import annotations

import json

import duckdb
import pytest

from linkstar_pipeline.defs.dbt.project import dbt_project
from linkstar_pipeline.lib.dbt_source_folders import ensure_every_feed_readable
from linkstar_pipeline.lib.raw_landing import RawPage, raw_file_path, write_raw_pages
from tests.e2e.dbt_cli import run_dbt

TEST_NAME = "orders_have_a_known_currency_and_no_negative_subtotal"
ORDERS_PATH = "/order/202309/orders/search"
# order id -> (currency, product subtotal) as the API sends them; USD is the reporting
# currency, so it needs no rate, GBP has one in the landed ECB file.
ORDERS = {
    "101": ("USD", "10.00"),
    "105": ("GBP", "10.00"),
    "102": ("XAU", "10.00"),
    "103": (None, "10.00"),
    "104": ("USD", "-5.00"),
}
EXPECTED_PROBLEMS = {
    ("102", "currency without an FX rate"),
    ("103", "currency missing"),
    ("104", "negative product subtotal"),
}


def _order(order_id: str, currency: str | None, subtotal: str) -> dict:
    payment = {"sub_total": subtotal, "total_amount": subtotal}
    if currency is not None:
        payment["currency"] = currency
    return {"id": order_id, "status": "COMPLETED", "update_time": 1794000000, "payment": payment}


@pytest.fixture
def tested(linkstar_home, tmp_path):
    orders = [_order(order_id, *money) for order_id, money in ORDERS.items()]
    body = {"code": 0, "data": {"orders": orders, "total_count": len(orders)}}
    page = RawPage(
        "tiktok_shop", "orders", f"POST {ORDERS_PATH}", "S1", "2026-11-05", 1, "r1",
        "2026-11-05T00:00:00", 200, {}, None, json.dumps(body),
    )  # fmt: skip
    raw = linkstar_home / "raw"
    write_raw_pages(raw_file_path(raw, "tiktok_shop", "orders", "2026-11-05"), [page])
    ecb = raw / "fx" / "ecb_history" / "2026-11-06.csv"
    ecb.parent.mkdir(parents=True)
    ecb.write_text("Date,USD,GBP,\n2026-11-05,1.1500,0.8800,\n")  # as the ECB writes it
    ensure_every_feed_readable(dbt_project.manifest_path, raw)
    target = tmp_path / "target"
    run_dbt(
        linkstar_home,
        *("build", "--select", "+stg_tiktok_shop__orders", "+int_fx_rates_daily"),
        *("--resource-type", "seed", "--resource-type", "model"),
        target_path=target,
    )
    run_dbt(linkstar_home, "test", "--select", TEST_NAME, target_path=target)  # exit 0: a warning
    [result] = json.loads((target / "run_results.json").read_text())["results"]
    return linkstar_home, result


def test_unknown_or_missing_currency_and_negative_subtotal_warn_naming_each_order(tested):
    home, result = tested
    assert (result["status"], result["failures"]) == ("warn", len(EXPECTED_PROBLEMS))
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as warehouse:
        named = warehouse.execute(f"select order_id, problem from data_quality.{TEST_NAME}")
        assert set(named.fetchall()) == EXPECTED_PROBLEMS
        staged = warehouse.execute("select count(*) from staging.stg_tiktok_shop__orders")
        assert staged.fetchone() == (len(ORDERS),)  # kept, not dropped
