"""The figures of one report, read from the published marts (serving.duckdb, read-only).

Every number comes from a mart as it is: the changes, AOV, conversion and the drivers from
kpi_drivers_* (the creators, LIVE hosts and products that moved GMV from kpi_drivers_items_*,
read by movers.py), the funnel counts from kpi_funnel_daily, negatives from kpi_shop_daily, pacing
from kpi_pacing and trust from data_freshness / recon_daily; rankings and stock-out risk are
read by rankings.py, the people's scorecards and pacing by people.py. Only the funnel's step
rates of the scope's summed counts (to find the weakest step) and the shown percentages are
divided here, rounded once, half up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from pathlib import Path

import duckdb

from linkstar_pipeline.lib.finished_days import NEWEST_FINISHED_DAY
from linkstar_pipeline.lib.reports.movers import Mover, movers
from linkstar_pipeline.lib.reports.people import Behind, PersonScore, behind_target, scorecards
from linkstar_pipeline.lib.reports.rankings import Ranking, StockRisk, rankings, stock_out_risks
from linkstar_pipeline.lib.reports.request import ReportError, ReportRequest, Scope

FUNNEL_STEPS = ("impressions", "clicks", "add_to_cart", "orders")
STATUS_ORDER = {"ok": 0, "not_checked": 1, "warn": 2, "stale": 3, "fail": 4, "error": 4}


@dataclass(frozen=True)
class Change:
    """One metric of the scope against one comparison period (a kpi_drivers row)."""

    comparison: str
    comparison_period_start: date
    current: Decimal | None
    previous: Decimal | None
    change: Decimal | None
    split_status: str
    visitors: tuple[int | None, int | None]  # (comparison, current)
    aov: tuple[Decimal | None, Decimal | None]  # (comparison, current)
    conversion_rate: tuple[Decimal | None, Decimal | None]  # (comparison, current)
    factors: dict[str, Decimal | None]
    channels: dict[str, Decimal | None]
    ads_attributed_change: Decimal | None
    bottleneck_factor: str | None
    bottleneck_channel: str | None
    bottleneck_sub_scope: str | None


@dataclass(frozen=True)
class ScopeChange:
    scope_id: str
    name: str
    current: Decimal | None
    change: Decimal | None


@dataclass
class ReportFigures:
    request: ReportRequest
    period_start: date
    period_end: date
    days_in_period: int
    reporting_currency: str
    shop_names: dict[str, str]
    changes: dict[tuple[str, str], Change]  # (metric, comparison) → change
    sub_scopes: list[ScopeChange]  # GMV change of each sub-scope, largest fall first
    shops: list[ScopeChange]  # GMV change of each shop of the scope, largest fall first
    funnel: dict[str, tuple[int | None, int | None]]  # step → (comparison, current)
    weakest_step: str | None
    negatives: dict[str, Decimal | None]
    pacing: dict[str, dict[str, Decimal | bool | None]]  # kpi → mtd figures
    trust: list[tuple[str, str, str]] = field(default_factory=list)  # (source, status, detail)
    rankings: dict[str, Ranking] = field(default_factory=dict)  # videos, live, creatives
    stock_as_of: date | None = None
    stock_risks: list[StockRisk] = field(default_factory=list)
    people: list[PersonScore] = field(default_factory=list)
    behind: list[Behind] = field(default_factory=list)
    movers: dict[str, list[Mover]] = field(default_factory=dict)  # creator, host, product


def ratio(
    numerator: Decimal | int | None, denominator: Decimal | int | None, places: int
) -> Decimal | None:
    """numerator ÷ denominator rounded once, half up; None without a denominator."""
    if numerator is None or not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(
        Decimal(1).scaleb(-places), ROUND_HALF_UP
    )


def all_scopes(serving: Path) -> list[Scope]:
    """The whole seller, then every region (the KPI configuration's, as the drivers marts and
    BI access name them), market and shop of dim_shops."""
    connection = duckdb.connect(str(serving), read_only=True)
    try:
        rows = connection.execute(
            "select distinct kind, id from (select 'region' as kind, region_id as id from marts.dim_shops "
            "where region_id is not null "
            "union all select 'market', market from marts.dim_shops "
            "union all select 'shop', shop_id from marts.dim_shops) order by kind desc, id"
        ).fetchall()
    finally:
        connection.close()
    order = {"region": 0, "market": 1, "shop": 2}
    return [Scope("seller", "ALL")] + sorted(
        (Scope(kind, scope_id) for kind, scope_id in rows), key=lambda s: (order[s.kind], s.id)
    )


def newest_period(serving: Path, kind: str) -> date | None:
    """The whole seller's newest day with published shop analytics, or newest whole week."""
    connection = duckdb.connect(str(serving), read_only=True)
    try:
        return _newest_period(connection, kind, Scope("seller", "ALL"))
    finally:
        connection.close()


def _newest_period(connection: duckdb.DuckDBPyConnection, kind: str, scope: Scope) -> date | None:
    """The newest published day that has ended everywhere (a daily report of a day still under
    way in some shop would compare a few hours with a whole day), or newest whole week."""
    whole_week = " and days_in_period = 7" if kind == "weekly" else ""
    finished = f" and period_start <= ({NEWEST_FINISHED_DAY})" if kind == "daily" else ""
    return connection.execute(
        f"select max(period_start) from marts.kpi_drivers_{kind} where scope_type = ? "
        f"and scope_id = ? and split_status != 'not_published'{whole_week}{finished}",
        [scope.kind, scope.id],
    ).fetchone()[0]


def read_figures(serving: Path, request: ReportRequest) -> ReportFigures:
    connection = duckdb.connect(str(serving), read_only=True)
    try:
        return _Reader(connection, request).figures()
    finally:
        connection.close()


class _Reader:
    def __init__(self, connection: duckdb.DuckDBPyConnection, request: ReportRequest) -> None:
        self.connection = connection
        self.request = request
        self.scope = request.scope

    def _rows(self, sql: str, parameters: list | None = None) -> list[dict]:
        cursor = self.connection.execute(sql, parameters or [])
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def figures(self) -> ReportFigures:
        shops = self._scope_shops()
        period = self._period()
        days = 1 if self.request.kind == "daily" else 7
        rows = self._rows(
            f"select * from marts.{self.request.mart} where scope_type = ? and scope_id = ? "
            "and period_start = ?",
            [self.scope.kind, self.scope.id, period],
        )
        changes = {(r["metric"], r["comparison"]): _change(r) for r in rows}
        main = self.request.comparisons[0]
        previous_start = changes[("gmv", main)].comparison_period_start
        funnel = self._funnel(shops, period, previous_start, days)
        end = period + timedelta(days=days - 1)
        stock_as_of, stock_risks = stock_out_risks(self.connection, list(shops))
        people = scorecards(
            self.connection, list(shops), self.scope.kind == "seller", end.replace(day=1)
        )
        return ReportFigures(
            request=self.request,
            period_start=period,
            period_end=end,
            days_in_period=rows[0]["days_in_period"],
            reporting_currency=rows[0]["unit"] if rows[0]["metric"] == "gmv" else rows[1]["unit"],
            shop_names=shops,
            changes=changes,
            sub_scopes=self._scope_changes("parent_scope_id = ?", [self.scope.id], period, main),
            shops=self._shop_changes(shops, period, main),
            funnel=funnel,
            weakest_step=_weakest_step(funnel),
            negatives=self._negatives(shops, period, days),
            pacing=self._pacing(period),
            trust=self._trust(shops, period, days),
            rankings=rankings(self.connection, list(shops), self.request.kind, period, end),
            stock_as_of=stock_as_of,
            stock_risks=stock_risks,
            people=people,
            behind=behind_target(self.connection, people, end.replace(day=1)),
            movers=movers(
                self.connection,
                self.request.items_mart,
                self.scope.kind,
                self.scope.id,
                period,
                main,
            ),
        )

    def _scope_shops(self) -> dict[str, str]:
        column = {"seller": "'ALL'", "region": "region_id", "market": "market", "shop": "shop_id"}
        rows = self._rows(
            f"select shop_id, shop_name from marts.dim_shops where {column[self.scope.kind]} = ? "
            "order by shop_name",
            [self.scope.id],
        )
        if not rows:
            known = self._rows(
                f"select distinct {column[self.scope.kind]} as id from marts.dim_shops order by 1"
            )
            raise ReportError(
                f"no shop in {self.scope.kind} {self.scope.id!r}; known: "
                + ", ".join(str(r["id"]) for r in known)
            )
        return {r["shop_id"]: r["shop_name"] for r in rows}

    def _period(self) -> date:
        """The asked period, or the newest one whose analytics are published (the newest
        complete day; the newest whole week)."""
        newest = _newest_period(self.connection, self.request.kind, self.scope)
        period = self.request.period_start or newest
        main = self.request.comparisons[0]  # the tiles, funnel and ranks compare with it
        available = self._rows(
            f"select count(*) as n from marts.{self.request.mart} "
            "where scope_type = ? and scope_id = ? and period_start = ? and comparison = ?",
            [self.scope.kind, self.scope.id, period, main],
        )[0]["n"]
        if period is None:
            raise ReportError(
                f"no {self.request.kind} period of {self.scope.kind} {self.scope.id} has published "
                "shop analytics and a period before it in the history yet"
            )
        if not available:
            raise ReportError(
                f"no {self.request.kind} figures for {self.scope.kind} {self.scope.id} on {period} "
                f"against its {main.replace('_', ' ')} (both must be in the loaded history); "
                f"the newest published is {newest}"
            )
        return period

    def _scope_changes(
        self, where: str, parameters: list, period: date, comparison: str
    ) -> list[ScopeChange]:
        rows = self._rows(
            f"select scope_id, current_value, change from marts.{self.request.mart} "
            f"where {where} and period_start = ? and comparison = ? and metric = 'gmv' "
            "order by change asc nulls last, scope_id",
            [*parameters, period, comparison],
        )
        names = {r["shop_id"]: r["shop_name"] for r in self._rows("select * from marts.dim_shops")}
        return [
            ScopeChange(
                r["scope_id"],
                names.get(r["scope_id"], r["scope_id"]),
                r["current_value"],
                r["change"],
            )
            for r in rows
        ]

    def _shop_changes(
        self, shops: dict[str, str], period: date, comparison: str
    ) -> list[ScopeChange]:
        marks = ", ".join("?" * len(shops))
        return self._scope_changes(
            f"scope_type = 'shop' and scope_id in ({marks})", list(shops), period, comparison
        )

    def _funnel(self, shops: dict[str, str], period: date, previous: date, days: int) -> dict:
        marks = ", ".join("?" * len(shops))
        sums = ", ".join(f"sum({step}) as {step}" for step in FUNNEL_STEPS)
        figures = {}
        for start in (previous, period):
            row = self._rows(
                f"select {sums} from marts.kpi_funnel_daily where channel = 'all' "
                f"and shop_id in ({marks}) and local_date between ? and ?",
                [*shops, start, start + timedelta(days=days - 1)],
            )[0]
            figures[start] = row
        return {step: (figures[previous][step], figures[period][step]) for step in FUNNEL_STEPS}

    def _negatives(
        self, shops: dict[str, str], period: date, days: int
    ) -> dict[str, Decimal | None]:
        marks = ", ".join("?" * len(shops))
        row = self._rows(
            "select sum(refund_by_refund_date_amount_reporting) as refunds, "
            "count(*) - count(refund_by_refund_date_amount_reporting) as refund_days_without_rate, "
            "sum(orders_cancelled) as cancelled, sum(orders_with_return_request) as return_requests "
            f"from marts.kpi_shop_daily where shop_id in ({marks}) and local_date between ? and ?",
            [*shops, period, period + timedelta(days=days - 1)],
        )[0]
        return {
            "refunds": row["refunds"] if not row["refund_days_without_rate"] else None,
            "cancelled": row["cancelled"],
            "return_requests": row["return_requests"],
        }

    def _pacing(self, period: date) -> dict:
        scope, scope_id = {
            "seller": ("company", "ALL"),
            "region": ("region", self.scope.id),
            "shop": ("shop", self.scope.id),
        }.get(self.scope.kind, (None, None))
        if scope is None:
            return {}
        rows = self._rows(
            "select kpi, mtd_target, mtd_actual, mtd_achievement_pct, on_track, as_of_date "
            "from marts.kpi_pacing where scope = ? and scope_id = ? and kpi in ('gmv_reporting', 'orders') "
            "and month_start = ?",
            [scope, scope_id, period.replace(day=1)],
        )
        return {r["kpi"]: r for r in rows}

    def _trust(self, shops: dict[str, str], period: date, days: int) -> list[tuple[str, str, str]]:
        marks = ", ".join("?" * len(shops))
        freshness = self._rows(
            "select source, list(distinct status) as statuses, max(age_hours) as age_hours "
            f"from marts.data_freshness where shop_id in ({marks}) group by source order by source",
            list(shops),
        )
        recon = self._rows(
            "select check_name, list(distinct status) as statuses, count(*) as rows "
            f"from marts.recon_daily where shop_id in ({marks}) and local_date between ? and ? "
            "group by check_name order by check_name",
            [*shops, period, period + timedelta(days=days - 1)],
        )
        trust = [(r["source"], _worst(r["statuses"]), "freshness") for r in freshness]
        trust += [(r["check_name"], _worst(r["statuses"]), "reconciliation") for r in recon]
        return trust


def _worst(statuses: list[str]) -> str:
    return max(statuses, key=lambda status: STATUS_ORDER.get(status, 2))


def _change(row: dict) -> Change:
    return Change(
        comparison=row["comparison"],
        comparison_period_start=row["comparison_period_start"],
        current=row["current_value"],
        previous=row["comparison_value"],
        change=row["change"],
        split_status=row["split_status"],
        visitors=(row["comparison_visitors"], row["current_visitors"]),
        aov=(row["comparison_aov_amount_reporting"], row["current_aov_amount_reporting"]),
        conversion_rate=(row["comparison_conversion_rate"], row["current_conversion_rate"]),
        factors={k: row[f"{k}_contribution"] for k in ("traffic", "conversion", "aov")},
        channels={k: row[f"{k}_contribution"] for k in ("video", "live", "product_card")},
        ads_attributed_change=row["ads_attributed_change"],
        bottleneck_factor=row["bottleneck_factor"],
        bottleneck_channel=row["bottleneck_channel"],
        bottleneck_sub_scope=row["bottleneck_sub_scope"],
    )


def _weakest_step(funnel: dict[str, tuple[int | None, int | None]]) -> str | None:
    """The step whose conversion from the step before fell most, relative to the comparison
    period (a rate is a step's count ÷ the previous step's)."""
    worst, worst_change = None, Decimal(0)
    for before, step in pairwise(FUNNEL_STEPS):
        then = ratio(funnel[step][0], funnel[before][0], 6)
        now = ratio(funnel[step][1], funnel[before][1], 6)
        if then and now is not None:
            relative = (now - then) / then
            if relative < worst_change:
                worst, worst_change = step, relative
    return worst
