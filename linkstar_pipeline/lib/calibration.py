"""Calibration: kpi_shop_daily's paid orders and GMV recomputed straight from the raw pages.

The one place GMV is defined is the dbt macro `order_gmv` (product subtotal + platform
discount) and the paid basis is `order_status_mapping.csv`; this module is the deliberate
second implementation a measuring instrument needs — Python over the landed JSON pages, not
SQL over the staging models — so a fault anywhere between the raw files and the mart (a
dedupe that keeps an old version, a join that drops a shop, a day cut in UTC, a rounding)
shows up as a shop-day whose figures disagree. It reads the status mapping and the markets'
time zones from the same seeds (they are configuration, not logic).

Each run compares a sample of shop-days (all of them when asked): exact equality, to the
cent, in the shop's currency. Only days of the loaded history: like the mart, it starts on the
UTC date of the oldest landed order partition, never on the earlier payment day of an order
that landed because it changed later.
"""

from __future__ import annotations

import csv
import json
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from linkstar_pipeline.lib.paths import LinkstarPaths
from linkstar_pipeline.lib.raw_landing import RawPage, read_raw_pages
from linkstar_pipeline.lib.trust import SEEDS_DIR
from linkstar_pipeline.lib.warehouse_lock import read_only_warehouse

SAMPLE_SHOP_DAYS = 30
EXAMPLES_SHOWN = 10


@dataclass(frozen=True)
class PaidDay:
    orders: int
    gmv: Decimal


@dataclass(frozen=True)
class Calibration:
    """Shop-days compared, and those whose mart figures differ from the raw recomputation."""

    compared: int
    off: list[dict]


def _seed_rows(name: str) -> list[dict]:
    with (SEEDS_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as seed:
        return list(csv.DictReader(seed))


def _records(folder: Path, list_key: str):
    """(raw page, record) for every record of every landed page under `folder`."""
    for path in sorted(folder.glob("*.jsonl.gz")):
        for page in read_raw_pages(path):
            data = json.loads(page.body).get("data") or {}
            for record in data.get(list_key) or []:
                yield page, record


def _shop_time_zones(raw_dir: Path) -> dict[str, ZoneInfo]:
    zone_of_market = {row["market"]: ZoneInfo(row["time_zone"]) for row in _seed_rows("markets")}
    return {
        str(shop["id"]): zone_of_market[shop["region"]]
        for _, shop in _records(raw_dir / "tiktok_shop" / "shops", "shops")
        if shop.get("region") in zone_of_market
    }


def _newest_orders(raw_dir: Path) -> dict[str, tuple[RawPage, dict]]:
    """Each order's newest version (highest update_time, then latest fetch) with its page."""
    newest: dict[str, tuple[tuple[int, str], RawPage, dict]] = {}
    for page, order in _records(raw_dir / "tiktok_shop" / "orders", "orders"):
        version = (int(order.get("update_time") or 0), page.fetched_at)
        held = newest.get(order["id"])
        if held is None or version > held[0]:
            newest[order["id"]] = (version, page, order)
    return {order_id: (page, order) for order_id, (_, page, order) in newest.items()}


def _first_loaded_day(newest: dict[str, tuple[RawPage, dict]]) -> date | None:
    """The UTC date of the oldest partition holding an order's newest version: the mart has no
    shop-day before it (an order paid earlier landed only because it changed later; dbt macro
    first_loaded_day, docs/kpi_management.md section 9)."""
    days = [
        date.fromisoformat(page.partition_key) for page, _ in newest.values() if page.partition_key
    ]
    return min(days, default=None)


def paid_days_from_raw(raw_dir: Path) -> dict[tuple[str, date], PaidDay]:
    """Paid orders and GMV per shop and shop-local day of payment, from the raw pages alone,
    for the days of the loaded history."""
    paid_statuses = {
        r["order_status"] for r in _seed_rows("order_status_mapping") if r["is_paid"] == "true"
    }
    zones = _shop_time_zones(raw_dir)
    newest = _newest_orders(raw_dir)
    first_day = _first_loaded_day(newest)
    counts: dict[tuple[str, date], int] = defaultdict(int)
    gmv: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    for page, order in newest.values():
        shop_id = page.shop_id
        if order.get("status") not in paid_statuses or not order.get("paid_time"):
            continue
        if shop_id not in zones:
            continue
        day = datetime.fromtimestamp(int(order["paid_time"]), UTC).astimezone(zones[shop_id]).date()
        if first_day is not None and day < first_day:
            continue
        payment = order.get("payment") or {}
        amount = Decimal(payment.get("sub_total") or "0") + Decimal(
            payment.get("platform_discount") or "0"
        )
        counts[(shop_id, day)] += 1
        gmv[(shop_id, day)] += amount
    return {key: PaidDay(counts[key], gmv[key]) for key in counts}


def _mart_days(
    paths: LinkstarPaths, keys: list[tuple[str, date]]
) -> dict[tuple[str, date], PaidDay]:
    with read_only_warehouse(paths) as warehouse:
        warehouse.execute("create temp table wanted (shop_id varchar, local_date date)")
        warehouse.executemany("insert into wanted values (?, ?)", keys)
        rows = warehouse.execute(
            """select k.shop_id, k.local_date, k.orders_paid, k.gmv_paid_amount
               from marts.kpi_shop_daily k
               join wanted w on w.shop_id = k.shop_id and w.local_date = k.local_date"""
        ).fetchall()
    return {(shop, day): PaidDay(orders or 0, gmv or Decimal(0)) for shop, day, orders, gmv in rows}


def calibrate(
    paths: LinkstarPaths, sample: int | None = SAMPLE_SHOP_DAYS, seed: str = ""
) -> Calibration:
    """Compare `sample` shop-days with paid orders (all of them when None), picked by `seed`."""
    truth = paid_days_from_raw(paths.raw_dir)
    keys = sorted(truth)
    if sample is not None and len(keys) > sample:
        keys = sorted(random.Random(seed).sample(keys, sample))
    mart = _mart_days(paths, keys)
    off = []
    for shop_id, day in keys:
        raw, built = truth[(shop_id, day)], mart.get((shop_id, day))
        if built != raw:
            off.append(
                {
                    "shop_id": shop_id,
                    "local_date": day.isoformat(),
                    "orders_paid_from_raw": raw.orders,
                    "orders_paid_in_mart": None if built is None else built.orders,
                    "gmv_paid_from_raw": str(raw.gmv),
                    "gmv_paid_in_mart": None if built is None else str(built.gmv),
                }
            )
    return Calibration(len(keys), off)
