"""Orders served twice in one walk of search pages, as an API does when an order changes while
a client pages through the results.

A hashed share of orders (seed and order id) is served with its current version and, on the
page next to it, with the version before its latest change: on the page BEFORE for half of
them (what a client sees when the order changes after that page was served) and on the page
AFTER for the other half (a lagging replica). A page ends early rather than hold both copies,
so the two always come on two pages. A client or warehouse that keeps the first copy it saw,
or the last one fetched, keeps a stale order; only "newest `update_time` wins" (the reference's
rule) is right every time. The stale copy is served only where it matches the same search (the
same update-time window), as it would have when it was current, and at most one order per walk
is re-served, so a walk takes at most one page more than its total needs (clients allow a
margin for records updated mid-walk; connectors/paging.py).

Rows are (sort value, id, copy, view factory); `copy` is 0 for current versions and ±1 for the
stale one, so in a walk by create_time it sorts right before or after its order, and keyset
cursors stay exact. (In a walk by update_time the stale copy sorts by its own, older time.)
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Share of orders re-served (among those with an earlier version); on in the default dataset.
RESERVED_ORDER_RATE = 0.05

BEFORE, AFTER = -1, 1


@dataclass(frozen=True)
class StaleCopy:
    """The version before an order's latest change, and on which side of it it is served."""

    row: Any  # the search row (_Searchable) of the stale version
    view: Callable[[], dict]
    side: int  # BEFORE or AFTER


def reserved_side(seed: int, rate: float, order_id: str) -> int | None:
    """BEFORE, AFTER or None (not re-served), by a hash of seed and order id (the truth)."""
    if rate <= 0:
        return None
    digest = hashlib.sha256(f"{seed}:reserved-order:{order_id}".encode()).digest()
    if int.from_bytes(digest[:4], "big") / 2**32 >= rate:
        return None
    return BEFORE if digest[4] % 2 else AFTER


def with_stale_copy(
    rows: list[tuple],
    copies: dict[str, StaleCopy],
    sort_key: Callable[[Any], int],
    descending: bool,
) -> list[tuple]:
    """`rows` in walk order plus the stale copy of the first re-served order among them.

    The copy sorts by its own sort value: beside its order when the walk is by create_time
    (the copy's side decides which comes first), where it stood when it was current when the
    walk is by update_time (then the older version always comes first in an ascending walk)."""
    for _, record_id, _, _ in rows:
        copy = copies.get(record_id)
        if copy is not None:
            # In a descending walk a larger copy value comes first.
            side = -copy.side if descending else copy.side
            rows = [*rows, (sort_key(copy.row), record_id, side, copy.view)]
            return sorted(rows, reverse=descending, key=lambda r: r[:3])
    return rows


def cut_before_second_copy(page: list[tuple]) -> list[tuple]:
    """The page up to (not including) a second copy of an order already on it."""
    seen: set[str] = set()
    for i, row in enumerate(page):
        if row[1] in seen:
            return page[:i]
        seen.add(row[1])
    return page
