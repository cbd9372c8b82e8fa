"""Orders the API serves twice in one walk (an old and the current version, on two pages) end
in the warehouse as their newest version, whichever copy came first.

Reads the shared e2e warehouse and its raw files (no build of its own); the truth is the
generator's order timeline and the sandbox's own record of which orders it re-served."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

import pytest

from sandbox.reserved_orders import AFTER, BEFORE
from tests.e2e.test_refresh_matches_ground_truth import serving_rows

pytestmark = pytest.mark.e2e


def landed_order_versions(home) -> dict[str, list[tuple[str, int, int]]]:
    """Every landed copy of every order: (fetched_at, page number, update_time), in fetch order."""
    copies: dict[str, list[tuple[str, int, int]]] = {}
    for path in sorted((home / "raw" / "tiktok_shop" / "orders").glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                page = json.loads(line)
                for order in json.loads(page["body"])["data"]["orders"]:
                    copy = (page["fetched_at"], page["page_number"], int(order["update_time"]))
                    copies.setdefault(order["id"], []).append(copy)
    return {order_id: sorted(found) for order_id, found in copies.items()}


def test_an_order_served_on_two_pages_keeps_its_newest_version(loaded_warehouse):
    home, sandbox, *_ = loaded_warehouse
    as_of = sandbox.as_of()
    twice = {
        order_id: found
        for order_id, found in landed_order_versions(home).items()
        if len({update for *_, update in found}) > 1
    }
    # Which copy came last: the stale one (served on the page after) or the current one.
    stale_last = {oid for oid, found in twice.items() if found[-1][2] < max(u for *_, u in found)}
    assert stale_last and set(twice) - stale_last, "both orders of service must occur"
    for order_id, found in twice.items():
        assert len(found) == 2 and found[0][1] != found[1][1], (order_id, found)
        side = sandbox.api.reserved_order_side(order_id)
        assert side == (AFTER if order_id in stale_last else BEFORE), order_id

    rows = serving_rows(
        home,
        "select order_id, order_status, updated_at_utc from marts.fct_orders "
        f"where order_id in ({', '.join(repr(o) for o in twice)})",
    )
    marts = {order_id: (status, updated) for order_id, status, updated in rows}
    expected = {}
    for order_id in twice:
        state = sandbox.dataset.order_by_id(order_id).state_at(as_of)
        updated = datetime.fromtimestamp(state.update_time, UTC).replace(tzinfo=None)
        expected[order_id] = (state.status, updated)
    assert marts == expected
