"""KPI management end to end: the example kpi_config/ landed by the shared refresh, turned into
daily targets, achievement, scorecards and bonuses — each checked against plain Python over the
landed configuration rows and the sandbox generator's ground truth, not against the SQL."""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pytest

from linkstar_pipeline.lib.clock import CLOCK_VARIABLE
from linkstar_pipeline.lib.kpi_config.landing import newest_landed, read_landed_table
from sandbox.ground_truth import in_loaded_history, loaded_orders, local_date, shop_daily_truth
from tests.conftest import AS_OF
from tests.e2e.dbt_cli import run_dbt

pytestmark = pytest.mark.e2e

CENT = Decimal("0.01")
NOVEMBER = date(2026, 11, 1)


def _rows(home, sql: str, *params) -> list[dict]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as connection:
        cursor = connection.execute(sql, list(params))
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _config(home) -> dict[str, list[dict]]:
    raw = home / "raw"
    version = newest_landed(raw)
    assert version is not None, "the refresh must land the example configuration"
    tables = ("targets", "teams", "team_shops", "markets", "maturity_tiers", "transitions")
    tables += ("promotions", "assignments", "incentive_tiers", "kpi_sets")
    return {table: read_landed_table(raw, table, version.version) for table in tables}


def _month_days(month: date) -> list[date]:
    return [
        month.replace(day=d) for d in range(1, calendar.monthrange(month.year, month.month)[1] + 1)
    ]


def _effective_target(config, target, shop_market: dict[str, str]) -> Decimal:
    """Stated × maturity factor × transition factor, from the landed rows and the shops'
    markets alone."""
    factor = {t["tier"]: Decimal(t["target_factor"]) for t in config["maturity_tiers"]}
    market_tier = {m["market"]: m["maturity_tier"] for m in config["markets"]}
    team = {t["team_id"]: t for t in config["teams"]}
    shop_team = {s["shop_id"]: s["team_id"] for s in config["team_shops"]}
    scope, scope_id = target["scope"], target["scope_id"]
    if scope == "person":  # a person is judged at their team's tier (team on the 1st)
        (scope, scope_id) = ("team", _team_on(config, scope_id, NOVEMBER))
    if scope == "team":
        tier, team_ids = team[scope_id]["maturity_tier"], {scope_id}
    elif scope == "shop":
        tier, team_ids = None, {shop_team[scope_id]}
    else:
        tier, team_ids = None, set()
    markets = {shop_market[s["shop_id"]] for s in config["team_shops"] if s["team_id"] in team_ids}
    if scope == "shop":
        markets = {shop_market[scope_id]}
    if scope == "shop":
        tier = market_tier[shop_market[scope_id]]
    maturity = factor[tier] if tier else Decimal(1)
    ramp = Decimal(1)
    for transition in config["transitions"]:
        applies = (transition["scope"], transition["scope_id"]) == (scope, scope_id) or (
            transition["scope"] == "market" and {transition["scope_id"]} == markets
        )
        start = date.fromisoformat(transition["start_month"])
        index = (NOVEMBER.year - start.year) * 12 + NOVEMBER.month - start.month
        if applies and index == transition["month_index"]:
            ramp = Decimal(transition["factor"])
    return (Decimal(target["target_value"]) * maturity * ramp).quantize(CENT, ROUND_HALF_UP)


def _team_on(config, person_id: str, day: date) -> str:
    (team_id,) = [
        a["team_id"]
        for a in config["assignments"]
        if a["person_id"] == person_id
        and a["valid_from"] <= day.isoformat() <= (a["valid_to"] or "9999-12-31")
    ]
    return team_id


def _planned_days(config, effective: Decimal) -> dict[date, Decimal]:
    """No baseline is loaded before November here, so every weekday weighs the same and only
    promotion days (day_weight) weigh more; rounding telescopes so the days sum exactly."""
    weights = {}
    for day in _month_days(NOVEMBER):
        weight = Decimal(1)
        for promotion in config["promotions"]:
            inside = promotion["date_from"] <= day.isoformat() <= promotion["date_to"]
            if inside and promotion.get("market") is None:
                weight = Decimal(promotion["day_weight"])
        weights[day] = weight
    total, running, previous, planned = sum(weights.values()), Decimal(0), Decimal(0), {}
    for day, weight in weights.items():
        running += weight
        cumulative = (effective * running / total).quantize(CENT, ROUND_HALF_UP)
        planned[day] = cumulative - previous
        previous = cumulative
    return planned


def test_every_november_target_decomposes_to_days_that_sum_to_its_effective_target(
    loaded_warehouse,
):
    home, sandbox, _, _ = loaded_warehouse
    config = _config(home)
    shop_market = {shop.shop_id: shop.region for shop in sandbox.dataset.shops}
    lines = _rows(
        home,
        """select target_id, max(monthly_target_effective) as effective,
                  sum(planned_daily_target) as planned, count(*) as days
           from marts.kpi_targets_daily where month_start = ? group by target_id""",
        NOVEMBER,
    )
    by_id = {line["target_id"]: line for line in lines}
    assert set(by_id) == {t["target_id"] for t in config["targets"]}
    for target in config["targets"]:
        line = by_id[target["target_id"]]
        assert line["days"] == 30, target["target_id"]
        expected = _effective_target(config, target, shop_market)
        assert line["effective"] == expected, target["target_id"]
        if target["kpi"] in ("gmv_reporting", "orders", "content_posts", "live_gmv"):
            assert line["planned"] == line["effective"], target["target_id"]


def test_only_months_with_a_scored_day_have_targets_and_pacing(loaded_warehouse):
    """Scoring starts on the first loaded day (docs/kpi_management.md, section 9). October,
    which only orders placed before the history and changed later reach, has no scored day, so
    no scoring version, no target days and no pacing: a month of targets against no data would
    read as 0 % achieved and off track. The months kept are those of the loaded orders' days
    inside the history (the example configuration scores from July, before every order)."""
    home, sandbox, _, _ = loaded_warehouse
    dataset = sandbox.dataset
    order_days = {
        local_date(order.shop, order.create_time)
        for order in loaded_orders(dataset, sandbox.as_of())
    }
    assert any(not in_loaded_history(dataset, day) for day in order_days)
    scored = {day.replace(day=1) for day in order_days if in_loaded_history(dataset, day)}
    relations = ("intermediate.int_kpi_scoring_versions", "marts.kpi_targets_daily")
    for relation in (*relations, "marts.kpi_pacing"):
        months = _rows(home, f"select distinct month_start from {relation}")
        assert {r["month_start"] for r in months} == scored, relation


def test_a_teams_november_gmv_achievement_follows_the_generators_truth(loaded_warehouse):
    """us_core sells in USD (no FX): its actual is the truth's paid GMV of its two shops over
    the scored November days, its target the Python decomposition over the same days."""
    home, sandbox, _, _ = loaded_warehouse
    config = _config(home)
    shops = {s["shop_id"] for s in config["team_shops"] if s["team_id"] == "us_core"}
    (target,) = [t for t in config["targets"] if t["target_id"] == "us_core_gmv"]
    shop_market = {shop.shop_id: shop.region for shop in sandbox.dataset.shops}
    planned = _planned_days(config, _effective_target(config, target, shop_market))
    (row,) = _rows(
        home,
        """select actual, target, achievement_pct_raw, achievement_pct, days_in_period
           from marts.kpi_achievement
           where subject_kind = 'team' and subject_id = 'us_core' and kpi = 'gmv_reporting'
             and period_type = 'month' and period_start = ?""",
        NOVEMBER,
    )
    truth = shop_daily_truth(sandbox.dataset, sandbox.as_of(), sandbox.api.after_sales)
    scored = [NOVEMBER + timedelta(days=n) for n in range(row["days_in_period"])]
    actual = sum(
        (t.gmv_paid for (shop, day), t in truth.items() if shop in shops and day in scored),
        Decimal(0),
    )
    expected_target = sum(planned[day] for day in scored)
    assert row["actual"] == actual
    assert row["target"] == expected_target
    raw = actual / expected_target * 100
    assert abs(Decimal(str(row["achievement_pct_raw"])) - raw) < Decimal("0.01")
    assert Decimal(str(row["achievement_pct"])) == min(
        Decimal(120), max(Decimal(0), Decimal(str(row["achievement_pct_raw"])))
    )


def test_a_person_who_moves_team_mid_month_is_scored_on_each_team_for_their_own_days(
    loaded_warehouse,
):
    home, _, _, _ = loaded_warehouse
    config = _config(home)
    moves = defaultdict(list)
    for assignment in config["assignments"]:
        moves[assignment["person_id"]].append(assignment)
    (mover,) = [
        person
        for person, rows in moves.items()
        if any(r["valid_to"] and r["valid_to"].startswith("2026-11") for r in rows)
    ]
    segments = _rows(
        home,
        """select team_id, min(days_in_period) as days
           from marts.kpi_achievement
           where subject_kind = 'person' and subject_id = ? and period_type = 'month'
             and period_start = ?
           group by team_id order by team_id""",
        mover,
        NOVEMBER,
    )
    newest = _rows(home, "select max(local_date) as d from marts.kpi_shop_daily")[0]["d"]
    expected = {}
    for assignment in moves[mover]:
        first = max(date.fromisoformat(assignment["valid_from"]), NOVEMBER)
        last = min(date.fromisoformat(assignment["valid_to"] or "2999-12-31"), newest)
        if first <= last:
            expected[assignment["team_id"]] = (last - first).days + 1
    assert {s["team_id"]: s["days"] for s in segments} == expected
    scorecard_teams = _rows(
        home,
        """select distinct team_id from marts.kpi_scorecards
           where subject_kind = 'person' and subject_id = ? and month_start = ?""",
        mover,
        NOVEMBER,
    )
    assert {r["team_id"] for r in scorecard_teams} == set(expected)


def _days_assigned(config, person_id: str, team_id: str, month: date, newest: date) -> int:
    """Days of `month` the configuration puts the person on the team, through `newest`: the
    days a bonus is prorated by, whether or not they had data."""
    last_of_month = _month_days(month)[-1]
    days = 0
    for assignment in config["assignments"]:
        if (assignment["person_id"], assignment["team_id"]) != (person_id, team_id):
            continue
        first = max(date.fromisoformat(assignment["valid_from"]), month)
        last = min(
            date.fromisoformat(assignment["valid_to"] or "2999-12-31"), last_of_month, newest
        )
        days += max(0, (last - first).days + 1)
    return days


def test_bonuses_follow_the_tiers_on_each_team_segments_score_prorated_by_days_assigned(
    loaded_warehouse,
):
    home, _, _, _ = loaded_warehouse
    config = _config(home)
    tiers = defaultdict(list)
    for tier in config["incentive_tiers"]:
        tiers[tier["role"]].append((Decimal(tier["min_score"]), Decimal(tier["bonus_amount"])))
    segments = _rows(
        home,
        """select distinct subject_id, team_id, role, score
           from marts.kpi_scorecards
           where subject_kind = 'person' and month_start = ?""",
        NOVEMBER,
    )
    # The newest scored day: the refresh's clock date (no shop's zone is past it by then).
    newest = AS_OF.date()
    expected = defaultdict(Decimal)
    for segment in segments:
        if segment["score"] is None:
            continue
        score = Decimal(str(segment["score"]))
        _, bonus = max((floor, b) for floor, b in tiers[segment["role"]] if floor <= score)
        days = _days_assigned(config, segment["subject_id"], segment["team_id"], NOVEMBER, newest)
        expected[segment["subject_id"]] += bonus * days / 30
    bonuses = {
        r["person_id"]: r["bonus_amount"]
        for r in _rows(
            home,
            "select person_id, bonus_amount from marts.kpi_incentives where month_start = ?",
            NOVEMBER,
        )
    }
    assert expected, "the example organisation must produce November scores"
    for person, amount in expected.items():
        assert bonuses[person] == amount.quantize(CENT, ROUND_HALF_UP), person


def test_a_stored_complete_baseline_is_never_recomputed(loaded_warehouse, tmp_path):
    """A real incremental dbt run on a copy of the warehouse: a baseline stored `complete` keeps
    its stored numbers although the data would now give others; the other rows are re-evaluated."""
    import shutil

    home, _, _, _ = loaded_warehouse
    copy = tmp_path / "home"
    shutil.copytree(home / "raw", copy / "raw")
    shutil.copy(home / "warehouse.duckdb", copy / "warehouse.duckdb")
    with duckdb.connect(str(copy / "warehouse.duckdb")) as connection:
        stored, recomputed = connection.execute(
            "select scope_id, kpi from marts.kpi_baselines order by scope, scope_id, kpi limit 2"
        ).fetchall()
        connection.execute(
            """update marts.kpi_baselines
               set status = 'complete', baseline_value = 12345, days_with_data = 28
               where scope_id = ? and kpi = ?""",
            list(stored),
        )
        connection.execute(
            "update marts.kpi_baselines set baseline_value = 54321 where scope_id = ? and kpi = ?",
            list(recomputed),
        )
    _dbt_build(copy, "kpi_baselines", tmp_path / "target")
    with duckdb.connect(str(copy / "warehouse.duckdb"), read_only=True) as connection:
        values = dict(
            connection.execute(
                """select scope_id || '/' || kpi, baseline_value from marts.kpi_baselines
                   where (scope_id = ? and kpi = ?) or (scope_id = ? and kpi = ?)""",
                [*stored, *recomputed],
            ).fetchall()
        )
    assert values["/".join(stored)] == 12345
    assert values["/".join(recomputed)] != 54321


def _dbt_build(home, select: str, target_path) -> None:
    run_dbt(
        home, "build", "--select", select, "--exclude", "test_type:unit", target_path=target_path
    )


def test_a_closed_months_scorecards_survive_a_later_config_change(
    loaded_warehouse, tmp_path, monkeypatch
):
    """Edit the example targets (every team GMV target doubled), land the edit as version 2 the
    way a refresh does, rebuild the KPI models: November (still open at the suite's pinned
    clock, 20 November) is re-scored under version 2. A third edit landed on 6 December — after
    November closed on the 5th (`scorecard_close_days: 5`) — must not touch November: the month
    close follows the pipeline's clock (LINKSTAR_NOW), never the day the suite happens to run.
    November is the only month scored: scoring starts on the first loaded day, 1 November
    (docs/kpi_management.md, section 9), so October, which only orders placed before the
    history and changed later reach, has no scorecard to keep."""
    import shutil

    import dagster as dg

    from linkstar_pipeline.defs.kpi_config.assets import kpi_config_tables
    from linkstar_pipeline.lib.kpi_config.validate import REPO_ROOT

    home, _, _, _ = loaded_warehouse
    copy = tmp_path / "home"
    shutil.copytree(home / "raw", copy / "raw")
    shutil.copy(home / "warehouse.duckdb", copy / "warehouse.duckdb")
    scores = """select month_start, subject_kind, subject_id, team_id, kpi, config_version, score
                from marts.kpi_scorecards order by all"""
    before = _rows(copy, scores)
    assert {r["month_start"] for r in before} == {NOVEMBER}

    config = tmp_path / "kpi_config"
    shutil.copytree(REPO_ROOT / "kpi_config", config)
    targets = config / "targets.yml"
    text = targets.read_text(encoding="utf-8")
    edited = text.replace(
        "kpi: gmv_reporting, from: 2026-07, value: 152000",
        "kpi: gmv_reporting, from: 2026-07, value: 304000",
    )
    assert edited != text
    targets.write_text(edited, encoding="utf-8")
    monkeypatch.setenv("LINKSTAR_HOME", str(copy))
    monkeypatch.setenv("LINKSTAR_KPI_CONFIG_DIR", str(config))
    landed = dg.materialize([kpi_config_tables], instance=dg.DagsterInstance.ephemeral())
    assert landed.success and newest_landed(copy / "raw").version == 2
    targets.write_text(edited.replace("value: 304000", "value: 608000"), encoding="utf-8")
    monkeypatch.setenv(CLOCK_VARIABLE, "2026-12-06T09:00:00Z")
    landed = dg.materialize([kpi_config_tables], instance=dg.DagsterInstance.ephemeral())
    assert landed.success and newest_landed(copy / "raw").version == 3

    _dbt_build(copy, "staging.kpi_config int_kpi_scoring_versions+", tmp_path / "target")
    after = _rows(copy, scores)
    assert {r["month_start"] for r in after} == {NOVEMBER}
    assert {r["config_version"] for r in after} == {2}
    us_before, us_after = (
        next(
            r["score"]
            for r in rows
            if (r["month_start"], r["subject_kind"], r["subject_id"])
            == (NOVEMBER, "team", "us_core")
        )
        for rows in (before, after)
    )
    assert us_after < us_before, "doubling the GMV target must lower November's score"
