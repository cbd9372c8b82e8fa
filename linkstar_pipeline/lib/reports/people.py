"""The role scorecards (kpi_scorecards) and, per role, who is behind their month-to-date
target and by how much (kpi_pacing), for the people of a report's shops' teams.

A person belongs to a scope through the team they were scored with that month (dim_shops
carries each shop's team); the whole seller shows everyone. Scores and pacing are the month's
as the marts hold them (to the newest data day), read as they are; "behind" is the mart's
on_track = false (forecast achievement below 100 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import duckdb


@dataclass(frozen=True)
class PersonScore:
    role: str
    person: str
    team: str
    score: Decimal | None
    rank_in_peer_group: int | None
    peers: int


@dataclass(frozen=True)
class Behind:
    role: str
    person: str
    kpi: str
    mtd_achievement_pct: Decimal | None
    forecast_achievement_pct: Decimal | None
    remaining_to_target: Decimal | None


# One subject-month per person and team: score and rank are on every KPI row of it. Peers are
# counted over the whole month's people, before the scope's teams are picked.
_PEOPLE = """
    with people as (
        select distinct role, subject_id, team_id, score, rank_in_peer_group, peer_group
        from marts.kpi_scorecards
        where subject_kind = 'person' and month_start = ?
    ),
    counted as (
        select people.*, count(*) over (partition by peer_group) as peers from people
    )
    select * from counted where true {teams}
    order by role, score desc nulls last, subject_id"""


def _teams(shops: list[str], everyone: bool) -> tuple[str, list[str]]:
    if everyone:
        return "", []
    marks = ", ".join("?" * len(shops))
    return (
        f"and team_id in (select team_id from marts.dim_shops where shop_id in ({marks}))",
        list(shops),
    )


def scorecards(
    connection: duckdb.DuckDBPyConnection, shops: list[str], everyone: bool, month: date
) -> list[PersonScore]:
    teams, parameters = _teams(shops, everyone)
    rows = connection.execute(_PEOPLE.format(teams=teams), [month, *parameters]).fetchall()
    return [
        PersonScore(role, person, team, score, rank, peers)
        for role, person, team, score, rank, _group, peers in rows
    ]


def behind_target(
    connection: duckdb.DuckDBPyConnection, people: list[PersonScore], month: date
) -> list[Behind]:
    """Each person KPI whose month-to-date pace misses its target, furthest behind first."""
    if not people:
        return []
    role_of = {p.person: p.role for p in people}
    marks = ", ".join("?" * len(role_of))
    rows = connection.execute(
        "select scope_id, kpi, mtd_achievement_pct, forecast_achievement_pct, remaining_to_target "
        "from marts.kpi_pacing where scope = 'person' and month_start = ? and not on_track "
        f"and scope_id in ({marks}) order by forecast_achievement_pct, scope_id, kpi",
        [month, *role_of],
    ).fetchall()
    return [Behind(role_of[person], person, *rest) for person, *rest in rows]
