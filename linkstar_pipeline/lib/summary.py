"""The short report `linkstar run` ends with, read from the published marts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import duckdb

from linkstar_pipeline.lib.finished_days import DAY_UNDER_WAY, NEWEST_FINISHED_DAY
from linkstar_pipeline.lib.paths import LinkstarPaths

_SHOP_DAYS = f"""
    select days.shop_id, days.local_date, shops.region, shops.market, days.orders,
           days.gmv_amount_reporting, days.reporting_currency,
           {DAY_UNDER_WAY.format(shop_id="days.shop_id", local_date="days.local_date")} as under_way
    from marts.kpi_shop_daily as days inner join marts.dim_shops as shops using (shop_id)
    where days.local_date > ({NEWEST_FINISHED_DAY}) - ?::integer"""


@dataclass
class _Total:
    """GMV (reporting currency) and orders of some shop days; GMV unknown once a day lacks
    an FX rate (counted, never silently left out)."""

    gmv: Decimal = Decimal(0)
    orders: int = 0
    shops: set[str] = field(default_factory=set)
    without_rate: int = 0
    under_way: int = 0

    def add(self, row: dict) -> None:
        self.orders += row["orders"] or 0
        self.shops.add(row["shop_id"])
        self.under_way += row["under_way"]
        if row["gmv_amount_reporting"] is None:
            self.without_rate += 1
        else:
            self.gmv += row["gmv_amount_reporting"]

    def cells(self) -> list[str]:
        gmv = (
            f"{self.gmv:,.2f}"
            if not self.without_rate
            else f"no FX rate on {self.without_rate} shop day(s)"
        )
        return [gmv, f"{self.orders:,}", str(len(self.shops))]


def sales_overview(paths: LinkstarPaths, days: int = 7) -> str:
    """The last `days` local days that have ended in every shop, per day and per scope (whole
    seller, region, market) in the reporting currency; the days after them, still under way
    in some shop's time zone, follow labelled partial. Each shop adds its own local days."""
    serving = duckdb.connect(str(paths.serving_database), read_only=True)
    try:
        cursor = serving.execute(_SHOP_DAYS, [days])
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        (shop_count,) = serving.execute("select count(*) from marts.dim_shops").fetchone()
        (finished,) = serving.execute(NEWEST_FINISHED_DAY).fetchone()
    finally:
        serving.close()
    if not rows:
        return "(no sales in the marts yet)"
    currency = rows[0]["reporting_currency"]
    by_day: dict[date, _Total] = defaultdict(_Total)
    by_scope: dict[tuple[str, ...], _Total] = defaultdict(_Total)
    for row in rows:
        by_day[row["local_date"]].add(row)
        if row["local_date"] <= finished:
            for scope in ((), (row["region"],), (row["region"], row["market"])):
                by_scope[scope].add(row)
    daily = [
        [str(day), *total.cells()[:2], _partial(total, shop_count) if day > finished else ""]
        for day, total in sorted(by_day.items())
    ]
    scopes = [
        ["  " * len(scope) + (scope[-1] if scope else "All shops"), *by_scope[scope].cells()]
        for scope in sorted(by_scope)
    ]
    first = min(by_day)
    return "\n".join(
        [
            f"GMV ({currency}, paid) and orders of all shops per local day (each shop's own days):",
            _table(["day", f"GMV {currency}", "orders", ""], daily),
            "",
            f"By scope, the {days} finished day(s) {first} – {finished}:",
            _table(["scope", f"GMV {currency}", "orders", "shops"], scopes),
        ]
    )


def _partial(total: _Total, shop_count: int) -> str:
    missing = shop_count - len(total.shops)
    text = f"partial: under way in {total.under_way} of {shop_count} shops"
    return text + (f", not begun in {missing}" if missing else "")


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(width)
            if i in (0, len(header) - 1) and not cell[:1].isdigit()
            else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in [header, *rows]
    ]
    return "\n".join(lines)


def team_scorecards_table(paths: LinkstarPaths) -> str:
    """The newest scored month's team scores and bonuses to date, from kpi_config/ targets."""
    serving = duckdb.connect(str(paths.serving_database), read_only=True)
    try:
        frame = serving.execute(
            """
            with month as (select max(month_start) as month_start from marts.kpi_scorecards),
            teams as (
                select subject_id as team, month_start, max(score) as score,
                       max(rank_in_peer_group) as rank, max(peer_group) as peer_group
                from marts.kpi_scorecards
                where subject_kind = 'team' and month_start = (select month_start from month)
                group by subject_id, month_start
            ),
            people as (
                select scores.team_id as team, count(distinct scores.subject_id) as people,
                       round(avg(scores.score), 1) as mean_person_score
                from marts.kpi_scorecards as scores
                where scores.subject_kind = 'person'
                  and scores.month_start = (select month_start from month)
                group by scores.team_id
            )
            select teams.month_start as month, teams.team, round(teams.score, 1) as score,
                   teams.rank, teams.peer_group, people.people, people.mean_person_score
            from teams left join people using (team)
            order by teams.peer_group, teams.rank
            """
        ).df()
        bonuses, currency = serving.execute(
            """select round(sum(bonus_amount), 2), max(currency) from marts.kpi_incentives
               where month_start = (select max(month_start) from marts.kpi_incentives)"""
        ).fetchone()
    finally:
        serving.close()
    if frame.empty:
        return "(no scorecards yet: see kpi_config/ and `linkstar kpi-config check`)"
    return f"{frame.to_string(index=False)}\nBonuses earned so far that month (kpi_incentives): {bonuses} {currency}"


def run_summary(paths: LinkstarPaths, days: int = 7) -> str:
    return "\n".join(
        [
            sales_overview(paths, days),
            "",
            (
                "KPI scorecards, newest month to date (targets and weights: kpi_config/; "
                "walk-through: docs/kpi_management.md):"
            ),
            team_scorecards_table(paths),
            "",
            f"Warehouse (dbt's, do not point BI tools here): {paths.warehouse}",
            f"Marts for BI tools (open read-only):          {paths.serving_database}",
            f"                     or the Parquet files in:  {paths.serving_dir}",
            "Open the Dagster UI with the sandbox running:   make dev  (then http://127.0.0.1:3000)",
        ]
    )
