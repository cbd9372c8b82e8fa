"""Stock per seller SKU that sales deplete and restocks refill, with viral SKUs that stock out.

One stock pool per ERP warehouse × seller SKU. A shop ships everything from its ERP
vendor's first warehouse (`stock_warehouse` in erp_exports), and shops of one vendor that
use the same seller SKU code sell the same product from one shared pool (as the ERP costs
it once), so their orders deplete the same stock. The TikTok listing shows the pool under
the shop's own TikTok warehouse id.

- Opening stock at 00:00 UTC of the window's first day covers 18–30 days of the pool's base
  demand (its units in the generated orders ÷ days; 7 days for a viral SKU).
- An order reserves its units when it is created (TikTok holds stock for unpaid orders too);
  a cancellation gives them back. Units counted here are *available* units: on hand minus
  what open orders hold, which is what ERPs export as 可用量 / available stock.
- An order that needs more units of a SKU than are available when it is created never
  happens: the buyer cannot check out an out-of-stock SKU, so orders for it stop while it
  is at zero (every truth reads the orders that remain, so they stay consistent).
- A daily review at 00:00 UTC reorders a SKU whose available + in-transit units fell to
  `lead time + 5` days of base demand: three weeks of base demand ship from the supplier,
  are in transit for 4–8 days, and arrive at 10:00 UTC.
- One viral SKU per shop (a popular one, picked from a seeded stream, not from
  content.py: its viral videos are drawn after the orders they attribute) gets extra orders
  for six days from about a third into the window; windows shorter than a week have no
  spike. The spike empties it, and it stays at zero until its restock lands.

Everything comes from streams keyed by (seed, shop, SKU) and the window: unlike orders, a
SKU's stock depends on the window's first day (its opening stock) and on the whole
window's orders.
"""

from __future__ import annotations

import bisect
import heapq
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sandbox.generator import DAY, HOUR, Order, Shop, Sku

REVIEW_EXTRA_DAYS = 5  # reorder point: lead time + this many days of base demand
ORDER_UP_DAYS = 21  # a restock is this many days of base demand
LEAD_DAYS = (4, 8)
OPENING_COVER_DAYS = (18, 30)
VIRAL_OPENING_COVER_DAYS = 7
VIRAL_LEAD_DAYS = 6
VIRAL_SPIKE_DAYS = 6
VIRAL_MIN_WINDOW_DAYS = 7
VIRAL_ORDERS_SHARE = 1.0  # extra orders per spike day, as a share of the shop's daily orders
ARRIVAL_HOUR = 10
MIN_BASE_DAILY_UNITS = 0.3
MIN_RESTOCK_UNITS = 20


Pool = tuple[str, str]  # (ERP warehouse, seller SKU)


@dataclass(frozen=True)
class StockLevel:
    """Units of one pool from `since` (Unix seconds) until the next level."""

    since: int
    on_hand: int  # available: in the warehouse and not held by an open order
    in_transit: int  # shipped by the supplier, not arrived yet


@dataclass(frozen=True)
class StockOut:
    """A stretch at zero available units; `end` None while it lasts past the window."""

    warehouse: str
    seller_sku: str
    start: int
    end: int | None


@dataclass(frozen=True)
class Restock:
    warehouse: str
    seller_sku: str
    ordered_at: int
    arrives_at: int
    units: int


@dataclass
class StockModel:
    """Every pool's stock series, and which shops sell from it."""

    window_start: int
    levels: dict[Pool, list[StockLevel]] = field(default_factory=dict)
    shops_of: dict[Pool, tuple[str, ...]] = field(default_factory=dict)  # pool -> shop ids
    warehouse_of_shop: dict[str, str] = field(default_factory=dict)
    viral_skus: dict[str, str] = field(default_factory=dict)  # shop id -> seller SKU
    restocks: list[Restock] = field(default_factory=list)
    dropped_orders: int = 0  # orders that could not happen: a SKU was out of stock

    def pool(self, shop_id: str, seller_sku: str) -> Pool:
        return (self.warehouse_of_shop[shop_id], seller_sku)

    def level_at(self, pool: Pool, at: int) -> StockLevel:
        """The pool's level at `at`; before the window, its opening level."""
        series = self.levels[pool]
        index = bisect.bisect_right([lv.since for lv in series], at) - 1
        return series[max(index, 0)]

    def viral_pools(self) -> set[Pool]:
        return {self.pool(shop, sku) for shop, sku in self.viral_skus.items()}

    def stock_outs(self) -> list[StockOut]:
        """Every stretch at zero, in pool then time order (a known event of the ground truth)."""
        outs = []
        for pool in sorted(self.levels):
            start = None
            for level in self.levels[pool]:
                if level.on_hand == 0 and start is None:
                    start = level.since
                elif level.on_hand > 0 and start is not None:
                    outs.append(StockOut(*pool, start, level.since))
                    start = None
            if start is not None:
                outs.append(StockOut(*pool, start, None))
        return outs


def day_start(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def viral_sku(seed: int, shop: Shop, catalogue: Sequence[Sku]) -> Sku | None:
    """The shop's viral SKU: one of its five most popular sellable SKUs."""
    sellable = [s for s in catalogue if not s.is_gift]
    if not sellable:
        return None
    return random.Random(f"{seed}:{shop.shop_id}:viral-sku").choice(sellable[:5])


def viral_spike_days(days: Sequence[date]) -> list[date]:
    """The spike's UTC days: six days from about a third into the window (none if short)."""
    if len(days) < VIRAL_MIN_WINDOW_DAYS:
        return []
    first = len(days) // 3
    return list(days[first : first + VIRAL_SPIKE_DAYS])


def viral_orders(
    seed: int,
    shop: Shop,
    shop_index: int,
    days: Sequence[date],
    daily_orders: float,
    sku: Sku,
    make_order: Callable[[random.Random, str, int], Order],
) -> list[Order]:
    """Extra single-SKU orders on the spike days, each day from its own stream.

    `make_order(rng, order_id, create_time)` builds an order of `sku` only; ids use
    sequence numbers 9000+ of the shop's day, which ordinary days never reach.
    """
    orders = []
    for day in viral_spike_days(days):
        rng = random.Random(f"{seed}:{shop.shop_id}:{day.isoformat()}:viral")
        count = max(3, round(daily_orders * VIRAL_ORDERS_SHARE * rng.uniform(0.8, 1.2)))
        day_number = (day - date(2020, 1, 1)).days % 10000
        times = sorted(day_start(day) + rng.randrange(DAY) for _ in range(count))
        for k, create_time in enumerate(times):
            digits = "".join(str(rng.randrange(10)) for _ in range(6))
            order_id = f"57{day_number:04d}{shop_index:02d}{9000 + k:04d}{digits}"
            orders.append(make_order(rng, order_id, create_time))
    return orders


def simulate(
    seed: int,
    days: Sequence[date],
    catalogues: Mapping[str, Sequence[Sku]],
    warehouse_of_shop: Mapping[str, str],
    candidates: Sequence[Order],
    viral_by_shop: Mapping[str, Sku],
    viral_order_ids: frozenset[str],
) -> tuple[StockModel, list[Order]]:
    """Runs every pool through the window; returns the model and the orders that happened."""
    start = day_start(days[0])
    model = StockModel(window_start=start, warehouse_of_shop=dict(warehouse_of_shop))
    model.viral_skus = {shop: sku.seller_sku for shop, sku in viral_by_shop.items()}
    base_units: dict[Pool, int] = {}
    shops_of: dict[Pool, set[str]] = {}
    for shop_id, catalogue in catalogues.items():
        for sku in catalogue:
            pool = model.pool(shop_id, sku.seller_sku)
            base_units.setdefault(pool, 0)
            shops_of.setdefault(pool, set()).add(shop_id)
    for order in candidates:
        for line in order.line_items:
            pool = model.pool(order.shop.shop_id, line.seller_sku)
            shops_of.setdefault(pool, set()).add(order.shop.shop_id)
            base_units.setdefault(pool, 0)
            if order.order_id not in viral_order_ids:
                base_units[pool] += 1
    viral = model.viral_pools()
    on_hand: dict[Pool, int] = {}
    in_transit: dict[Pool, int] = {}
    daily: dict[Pool, float] = {}
    lead: dict[Pool, int] = {}
    for pool in sorted(base_units):
        rng = random.Random(f"{seed}:{pool[0]}:{pool[1]}:stock")
        daily[pool] = max(MIN_BASE_DAILY_UNITS, base_units[pool] / len(days))
        cover = VIRAL_OPENING_COVER_DAYS if pool in viral else rng.randint(*OPENING_COVER_DAYS)
        lead[pool] = VIRAL_LEAD_DAYS if pool in viral else rng.randint(*LEAD_DAYS)
        on_hand[pool] = max(5, math.ceil(daily[pool] * cover))
        in_transit[pool] = 0
        model.levels[pool] = [StockLevel(start, on_hand[pool], 0)]
        model.shops_of[pool] = tuple(sorted(shops_of[pool]))

    def record(pool: Pool, at: int) -> None:
        series = model.levels[pool]
        level = StockLevel(at, on_hand[pool], in_transit[pool])
        if series[-1].since == at:
            series[-1] = level
        elif (series[-1].on_hand, series[-1].in_transit) != (level.on_hand, level.in_transit):
            series.append(level)

    # Events: (time, priority, sequence, kind, payload); at one instant arrivals and
    # releases come first, then the review, then new orders.
    events: list[tuple[int, int, int, str, object]] = []
    sequence = 0

    def push(at: int, priority: int, kind: str, payload: object) -> None:
        nonlocal sequence
        heapq.heappush(events, (at, priority, sequence, kind, payload))
        sequence += 1

    for index in range(len(days) + 1):
        push(start + index * DAY, 1, "review", None)
    for order in sorted(candidates, key=lambda o: (o.create_time, o.order_id)):
        push(order.create_time, 2, "order", order)
    kept: list[Order] = []
    while events:
        at, _, _, kind, payload = heapq.heappop(events)
        if kind == "order":
            order = payload
            need: dict[Pool, int] = {}
            for line in order.line_items:
                pool = model.pool(order.shop.shop_id, line.seller_sku)
                need[pool] = need.get(pool, 0) + 1
            if any(on_hand[pool] < units for pool, units in need.items()):
                model.dropped_orders += 1
                continue
            kept.append(order)
            for pool, units in need.items():
                on_hand[pool] -= units
                record(pool, at)
            if order.cancel_time is not None:
                push(order.cancel_time, 0, "release", need)
        elif kind == "release":
            for pool, units in payload.items():
                on_hand[pool] += units
                record(pool, at)
        elif kind == "arrival":
            pool, units = payload
            on_hand[pool] += units
            in_transit[pool] -= units
            record(pool, at)
        else:  # the daily review
            for pool in sorted(on_hand):
                if on_hand[pool] + in_transit[pool] > daily[pool] * (
                    lead[pool] + REVIEW_EXTRA_DAYS
                ):
                    continue
                units = max(MIN_RESTOCK_UNITS, math.ceil(daily[pool] * ORDER_UP_DAYS))
                arrives = at + lead[pool] * DAY + ARRIVAL_HOUR * HOUR
                in_transit[pool] += units
                record(pool, at)
                push(arrives, 0, "arrival", (pool, units))
                model.restocks.append(Restock(*pool, at, arrives, units))
    return model, sorted(kept, key=lambda o: (o.create_time, o.order_id))
