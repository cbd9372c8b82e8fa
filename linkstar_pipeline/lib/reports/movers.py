"""The creators, LIVE hosts and products that moved a scope's GMV most in a report's period,
read from kpi_drivers_items_daily / _weekly as they are (the mart's parts add up exactly to the
change the report explains)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import duckdb

SHOWN = 3
SPLITS = ("creator", "host", "product")


@dataclass(frozen=True)
class Mover:
    item_id: str
    name: str | None
    contribution: Decimal | None  # reporting currency; None: no proportion to cut by


def movers(
    connection: duckdb.DuckDBPyConnection,
    items_mart: str,
    scope_kind: str,
    scope_id: str,
    period: date,
    comparison: str,
) -> dict[str, list[Mover]]:
    """split kind → its items ranked 1 to SHOWN (the largest parts, falls and rises)."""
    rows = connection.execute(
        "select split_kind, item_id, item_name, contribution_amount_reporting "
        f"from marts.{items_mart} where scope_type = ? and scope_id = ? "
        "and period_start = ? and comparison = ? and rank_in_split <= ? "
        "order by split_kind, rank_in_split",
        [scope_kind, scope_id, period, comparison, SHOWN],
    ).fetchall()
    return {
        kind: [Mover(item, name, part) for split, item, name, part in rows if split == kind]
        for kind in SPLITS
    }
