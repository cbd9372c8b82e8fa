"""`buyer_key` is a keyed hash (HMAC-SHA256) of the buyer's user id, computed by dbt's own
DuckDB connection with a secret from the environment (or generated under LINKSTAR_HOME):
real raw order pages, a real dbt run, the real warehouse file."""

from __future__ import annotations

import hashlib
import hmac
import json
import os

import duckdb
import pytest

from linkstar_pipeline.lib.buyer_key import (
    ENV_BUYER_KEY_SECRET,
    SECRET_FILE,
    BuyerKeySecretError,
    buyer_key_secret,
)
from linkstar_pipeline.lib.raw_landing import RawPage, raw_file_path, write_raw_pages
from tests.e2e.dbt_cli import run_dbt

ORDERS_PATH = "/order/202309/orders/search"
# Two orders of one buyer, one of another, one without a user id.
ORDER_USERS = {"o1": "7494000000000000001", "o2": "7494000000000000001", "o3": "u-2", "o4": None}


def _land_orders(home) -> None:
    orders = [
        {"id": order_id, "status": "COMPLETED", "update_time": 1794000000}
        | ({"user_id": user} if user else {})
        for order_id, user in ORDER_USERS.items()
    ]
    body = {"code": 0, "data": {"orders": orders, "total_count": len(orders)}}
    page = RawPage(
        "tiktok_shop", "orders", f"POST {ORDERS_PATH}", "S1", "2026-11-05", 1, "r1",
        "2026-11-05T00:00:00", 200, {}, None, json.dumps(body),
    )  # fmt: skip
    write_raw_pages(raw_file_path(home / "raw", "tiktok_shop", "orders", "2026-11-05"), [page])


def _staged_buyer_keys(home, target) -> dict[str, str | None]:
    run_dbt(home, "run", "--select", "+stg_tiktok_shop__orders", target_path=target)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as warehouse:
        rows = warehouse.execute(
            "select order_id, buyer_key from staging.stg_tiktok_shop__orders"
        ).fetchall()
    return dict(rows)


def _hmac(secret: str, user_id: str) -> str:
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def test_buyer_key_is_the_hmac_of_the_user_id_under_the_configured_secret(tmp_path, monkeypatch):
    """One dbt run (~20 s) with a configured secret, never written down. The generated secret
    (none configured) is the shared e2e warehouse's: test_refresh_matches_ground_truth.py
    checks every order's key against it, and that the secret reaches no other file."""
    configured_secret = "configured-secret-0123456789"
    monkeypatch.setenv(ENV_BUYER_KEY_SECRET, configured_secret)
    home = tmp_path / "configured"
    _land_orders(home)
    keys = _staged_buyer_keys(home, tmp_path / "target")
    assert not (home / SECRET_FILE).exists()  # a configured secret is never written

    assert keys == {
        order: None if user is None else _hmac(configured_secret, user)
        for order, user in ORDER_USERS.items()
    }
    assert keys["o1"] == keys["o2"] != keys["o3"]
    assert keys["o1"] != hashlib.md5(ORDER_USERS["o1"].encode()).hexdigest()
    assert keys["o1"] != _hmac("another-secret-0123456789", ORDER_USERS["o1"])


def test_a_short_or_world_readable_secret_is_refused_naming_where_it_is(tmp_path):
    with pytest.raises(BuyerKeySecretError, match=ENV_BUYER_KEY_SECRET):
        buyer_key_secret(tmp_path, {ENV_BUYER_KEY_SECRET: "short"})
    generated = buyer_key_secret(tmp_path, {})
    assert buyer_key_secret(tmp_path, {}) == generated
    os.chmod(tmp_path / SECRET_FILE, 0o644)
    with pytest.raises(BuyerKeySecretError, match="chmod 600"):
        buyer_key_secret(tmp_path, {})
