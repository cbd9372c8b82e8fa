"""The short report `linkstar run` ends with, read from the published marts."""

from __future__ import annotations

import duckdb

from linkstar_pipeline.lib.paths import LinkstarPaths


def recent_sales_table(paths: LinkstarPaths, days: int = 7) -> str:
    serving = duckdb.connect(str(paths.serving_database), read_only=True)
    try:
        frame = serving.execute(
            """
            with recent as (
                select * from marts.kpi_shop_daily
                where local_date > (select max(local_date) from marts.kpi_shop_daily) - ?::integer
            )
            select shops.shop_name as shop, recent.market, recent.currency,
                   recent.local_date, recent.orders_paid, recent.gmv_paid_amount,
                   recent.orders_delivered, recent.gmv_delivered_amount
            from recent join marts.dim_shops as shops using (shop_id)
            order by shop, recent.local_date
            """,
            [days],
        ).df()
    finally:
        serving.close()
    if frame.empty:
        return "(no sales in the marts yet)"
    return frame.to_string(index=False)


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
            f"GMV and orders per shop, last {days} local days (local currency; paid and delivered bases):",
            recent_sales_table(paths, days),
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
