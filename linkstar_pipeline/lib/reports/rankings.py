"""Top and bottom videos, LIVE sessions and ads creatives of a report's shops and period, and
the SKUs at risk of a stock-out, each read from its mart row as it is.

A daily report ranks the day's rows (fct_videos_daily, kpi_ads_daily's ad rows); a weekly one
the week's rows of kpi_top_content / kpi_top_creatives, whose week sums need every day's FX
rate. LIVE sessions are kpi_live_sessions rows started in the period. Ranked by GMV in the
reporting currency; the bottom is the lowest GMV, the most views, viewers or spend first (the
most attention that sold least). A row without a reporting amount (no FX rate) is counted,
never ranked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import duckdb

SHOWN = 3


@dataclass(frozen=True)
class RankingSource:
    """Where one kind of item is ranked from: a mart (with a row filter), its key, label and
    the figure shown beside GMV."""

    mart: str
    period_column: str
    key: str
    label: str
    gmv: str
    attention: str
    where: str = "true"


SOURCES: dict[tuple[str, str], RankingSource] = {
    ("videos", "daily"): RankingSource(
        "fct_videos_daily", "local_date", "video_id", "video_id",
        "attributed_gmv_amount_reporting", "views",
    ),
    ("videos", "weekly"): RankingSource(
        "kpi_top_content", "week_start", "video_id", "video_id",
        "attributed_gmv_amount_reporting", "views",
    ),
    ("creatives", "daily"): RankingSource(
        "kpi_ads_daily", "local_date", "ad_id", "ad_id",
        "attributed_gmv_amount_reporting", "spend_amount_reporting", "level = 'ad'",
    ),
    ("creatives", "weekly"): RankingSource(
        "kpi_top_creatives", "week_start", "ad_id", "ad_name",
        "attributed_gmv_amount_reporting", "spend_amount_reporting",
    ),
}  # fmt: skip
LIVE = RankingSource(
    "kpi_live_sessions", "local_date", "live_id", "host_username", "gmv_amount_reporting", "viewers"
)


@dataclass(frozen=True)
class Ranked:
    key: str
    label: str
    gmv: Decimal
    attention: Decimal | int | None


@dataclass(frozen=True)
class Ranking:
    top: list[Ranked]
    bottom: list[Ranked]
    without_rate: int  # rows of the period with no reporting amount, not ranked
    attention: str  # what the second figure is: views, viewers or spend


@dataclass(frozen=True)
class StockRisk:
    seller_sku: str
    warehouse: str
    units_on_hand: int
    days_of_cover: Decimal | None
    forecast_stock_out_date: date | None
    is_stocked_out: bool


def rankings(
    connection: duckdb.DuckDBPyConnection, shops: list[str], kind: str, start: date, end: date
) -> dict[str, Ranking]:
    """videos, live and creatives of the shops in the period [start, end]."""
    sources = {
        "videos": SOURCES[("videos", kind)],
        "live": LIVE,
        "creatives": SOURCES[("creatives", kind)],
    }
    return {
        name: _ranking(connection, source, shops, start, end) for name, source in sources.items()
    }


def _ranking(
    connection: duckdb.DuckDBPyConnection,
    source: RankingSource,
    shops: list[str],
    start: date,
    end: date,
) -> Ranking:
    marks = ", ".join("?" * len(shops))
    rows = connection.execute(
        f"select {source.key}, {source.label}, {source.gmv}, {source.attention} "
        f"from marts.{source.mart} where {source.where} and shop_id in ({marks}) "
        f"and {source.period_column} between ? and ?",
        [*shops, start, end],
    ).fetchall()
    ranked = [
        Ranked(str(k), str(label or k), gmv, seen)
        for k, label, gmv, seen in rows
        if gmv is not None
    ]
    top = sorted(ranked, key=lambda r: (-r.gmv, r.key))[:SHOWN]
    bottom = sorted(ranked, key=lambda r: (r.gmv, -(r.attention or 0), r.key))
    bottom = [r for r in bottom if r not in top][:SHOWN]
    return Ranking(top, bottom, len(rows) - len(ranked), source.attention)


def stock_out_risks(
    connection: duckdb.DuckDBPyConnection, shops: list[str]
) -> tuple[date | None, list[StockRisk]]:
    """(newest inventory day, the SKU × warehouse rows at risk that day that the shops sell),
    stocked out first, then the fewest days of cover. Stock is a now-figure: the newest
    snapshot, whatever the report's period."""
    marks = ", ".join("?" * len(shops))
    (newest,) = connection.execute(
        "select max(local_date) from marts.kpi_inventory_risk"
    ).fetchone()
    rows = connection.execute(
        "select seller_sku, warehouse, units_on_hand, days_of_cover, forecast_stock_out_date, "
        "is_stocked_out from marts.kpi_inventory_risk as risk where local_date = ? "
        "and (is_stock_out_risk or is_stocked_out) and exists (select 1 from marts.dim_skus as skus "
        f"where skus.seller_sku = risk.seller_sku and skus.stock_warehouse = risk.warehouse "
        f"and skus.shop_id in ({marks})) "
        "order by is_stocked_out desc, days_of_cover asc nulls first, seller_sku, warehouse",
        [newest, *shops],
    ).fetchall()
    return newest, [StockRisk(*row) for row in rows]
