"""Each invalid-config rule gives one clear problem naming the file, the line, the key and
the rule; the example configuration passes them all."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time

from linkstar_pipeline.lib.kpi_config.landing import land_config
from linkstar_pipeline.lib.kpi_config.validate import REPO_ROOT, validate_config_dir
from linkstar_pipeline.lib.raw_landing import RawPage, write_raw_pages
from tests.unit.pipeline.kpi_config_helpers import (
    TODAY,
    edit,
    example_copy,
    line_of,
    one_problem_with,
    problems,
)

ADS_SET = "  - id: ads_buyer"


def test_the_example_configuration_is_valid(tmp_path):
    valid = validate_config_dir(example_copy(tmp_path), tmp_path / "raw", TODAY)
    roles = {a.role for p in valid.config.people for a in p.assignments}
    assert len(roles) == 7 and len(valid.config.teams) >= 5
    assert sum(len(team.shops) for team in valid.config.teams) == 12


def test_weights_not_summing_to_100(tmp_path):
    config = example_copy(tmp_path)
    edit(config, "kpi_sets.yml", "{kpi: cpm, weight: 25,", "{kpi: cpm, weight: 35,")
    line = line_of(config, "kpi_sets.yml", ADS_SET)
    one_problem_with(
        problems(config, tmp_path / "raw"),
        f"kpi_sets.yml:{line} (kpi_sets[2].kpis)",
        "weights of set 'ads_buyer' sum to 110, not 100",
    )


def test_unknown_kpi(tmp_path):
    config = example_copy(tmp_path)
    edit(config, "kpi_sets.yml", "{kpi: roas, weight: 50,", "{kpi: roass, weight: 50,")
    line = line_of(config, "kpi_sets.yml", "kpi: roass")
    one_problem_with(
        problems(config, tmp_path / "raw"),
        f"kpi_sets.yml:{line} (kpi_sets[2].kpis[2])",
        "unknown KPI 'roass': not in the KPI dictionary",
    )


def test_kpi_scope_pair_not_in_the_scoring_catalogue(tmp_path):
    config = example_copy(tmp_path)
    edit(
        config,
        "kpi_sets.yml",
        "{kpi: content_posts, weight: 40, scope: team}",
        "{kpi: content_posts, weight: 40, scope: person}",
    )
    line = line_of(config, "kpi_sets.yml", "kpi: content_posts")
    one_problem_with(
        problems(config, tmp_path / "raw"),
        f"kpi_sets.yml:{line} (kpi_sets[3].kpis[0])",
        "cannot be scored on scope 'person'",
        "kpi_scoring_catalog.csv",
    )


def test_unknown_team_in_an_assignment(tmp_path):
    config = example_copy(tmp_path)
    edit(
        config,
        "organisation.yml",
        "{team: uk, role: content_editor",
        "{team: ukk, role: content_editor",
    )
    line = line_of(config, "organisation.yml", "team: ukk")
    one_problem_with(
        problems(config, tmp_path / "raw"),
        f"organisation.yml:{line} (people[",
        "unknown team 'ukk'",
    )


def test_unknown_person_in_a_target(tmp_path):
    config = example_copy(tmp_path)
    edit(
        config,
        "targets.yml",
        'scope_id: "nok_chai", kpi: cs_response_rate_12h',
        'scope_id: "nok_chay", kpi: cs_response_rate_12h',
    )
    line = line_of(config, "targets.yml", "nok_chay")
    one_problem_with(
        problems(config, tmp_path / "raw"),
        f"targets.yml:{line} (targets[",
        "person 'nok_chay', which is not in the organisation",
    )


def test_unknown_shop_in_an_identity(tmp_path):
    config = example_copy(tmp_path)
    edit(
        config,
        "organisation.yml",
        'shop_id: "7495836102748193021", key: ivan',
        'shop_id: "1", key: ivan',
    )
    line = line_of(config, "organisation.yml", "key: ivan.uslcho")
    one_problem_with(
        problems(config, tmp_path / "raw"),
        f"organisation.yml:{line} (people[0].identities[0])",
        "unknown shop '1'",
    )


def test_a_team_shop_that_is_not_a_landed_shop(tmp_path):
    config, raw = example_copy(tmp_path), tmp_path / "raw"
    landed = [{"id": s, "cipher": "c", "region": "US"} for s in ("7495836102748193021",)]
    page = RawPage("tiktok_shop", "shops", "GET /x", None, None, 1, "r", "2026-11-20T00:00:00",
                   200, {}, None, json.dumps({"data": {"shops": landed}}))  # fmt: skip
    write_raw_pages(raw / "tiktok_shop" / "shops" / "shops.jsonl.gz", [page])
    found = problems(config, raw)
    line = line_of(config, "organisation.yml", 'shop_id: "7494127735603349019", name')
    one_problem_with(found, f"organisation.yml:{line} (teams[5].shops[0])", "not among the landed")
    assert not any("7495836102748193021" in problem for problem in found)


def test_overlapping_assignments_of_one_person(tmp_path):
    config = example_copy(tmp_path)
    edit(config, "organisation.yml", "to: 2026-11-15}", "to: 2026-11-20}")
    line = line_of(config, "organisation.yml", "{team: sg_home, role: live_host")
    one_problem_with(
        problems(config, tmp_path / "raw"),
        f"organisation.yml:{line} (people[5].assignments[1])",
        "overlapping assignments of person 'hana_sato'",
    )


def test_overlapping_versions_of_one_set(tmp_path):
    config = example_copy(tmp_path)
    edit(config, "kpi_sets.yml", "    valid_to: 2026-09-30\n", "")
    one_problem_with(
        problems(config, tmp_path / "raw"),
        "kpi_sets.yml:",
        "overlapping versions for role 'live_host'",
        "valid_to: 2026-09-30",
    )


def test_target_for_a_shop_not_in_the_organisation(tmp_path):
    config = example_copy(tmp_path)
    edit(config, "targets.yml", "{id: home_us_gmv, scope: shop, scope_id: \"7495836102748193021\"",
         "{id: home_us_gmv, scope: shop, scope_id: \"7495836102748199999\"")  # fmt: skip
    line = line_of(config, "targets.yml", "7495836102748199999")
    one_problem_with(
        problems(config, tmp_path / "raw"),
        f"targets.yml:{line} (targets[0])",
        "shop '7495836102748199999', which is not in the organisation",
    )


def test_money_target_without_currency(tmp_path):
    config = example_copy(tmp_path)
    edit(config, "targets.yml", "value: 591000, currency: USD}", "value: 591000}")
    line = line_of(config, "targets.yml", "id: company_gmv")
    one_problem_with(
        problems(config, tmp_path / "raw"),
        f"targets.yml:{line} (targets[",
        "'gmv_reporting' is a money KPI: the target needs a `currency`",
    )


def test_currency_without_rates(tmp_path):
    config = example_copy(tmp_path)
    edit(config, "targets.yml", "value: 62000, currency: GBP}", "value: 62000, currency: XAU}")
    line = line_of(config, "targets.yml", "currency: XAU")
    one_problem_with(
        problems(config, tmp_path / "raw"),
        f"targets.yml:{line} (targets[",
        "currency 'XAU' has no FX rates",
    )


def test_a_landed_ecb_history_adds_its_currencies(tmp_path):
    config, raw = example_copy(tmp_path), tmp_path / "raw"
    edit(config, "targets.yml", "value: 62000, currency: GBP}", "value: 62000, currency: CHF}")
    assert any("'CHF' has no FX rates" in p for p in problems(config, raw))
    ecb = raw / "fx" / "ecb_history" / "2026-11-20.csv"
    ecb.parent.mkdir(parents=True)
    ecb.write_text("Date,USD,CHF,\n2026-11-20,1.0512,0.9311,\n", encoding="utf-8")
    validate_config_dir(config, raw, TODAY)


def test_set_valid_from_not_a_quarter_start(tmp_path):
    config = example_copy(tmp_path)
    edit(config, "kpi_sets.yml", "applies_to: {role: ads_buyer}\n    valid_from: 2026-07-01",
         "applies_to: {role: ads_buyer}\n    valid_from: 2026-08-01")  # fmt: skip
    line = line_of(config, "kpi_sets.yml", ADS_SET)
    one_problem_with(
        problems(config, tmp_path / "raw"),
        f"kpi_sets.yml:{line} (kpi_sets[2].valid_from)",
        "valid_from 2026-08-01 is not a quarter start",
        "override with reason and approved_by",
    )


def test_override_without_reason(tmp_path):
    config = example_copy(tmp_path)
    edit(
        config,
        "targets.yml",
        "    reason: 11.11 buys for return",
        "    note: 11.11 buys for return",
    )
    line = line_of(config, "targets.yml", "id: double_11_ads_roas")
    found = problems(config, tmp_path / "raw")
    one_problem_with(found, f"targets.yml:{line} (overrides[0])", "`reason` is required")
    one_problem_with(found, "(overrides[0].note)", "unknown key `note`")


def test_transition_ramp_outside_zero_to_one(tmp_path):
    config = example_copy(tmp_path)
    edit(config, "targets.yml", "ramp: [0.5, 0.75, 1.0]", "ramp: [0.5, 0.75, 1.2]")
    line = line_of(config, "targets.yml", "ramp:")
    one_problem_with(
        problems(config, tmp_path / "raw"),
        f"targets.yml:{line} (transitions[0].ramp)",
        "ramp[2] = 1.2: every factor must be in (0, 1]",
    )


def test_team_of_mixed_tiers_needs_an_explicit_tier(tmp_path):
    config = example_copy(tmp_path)
    edit(config, "organisation.yml", "Fashion VN, market: VN}", "Fashion VN, market: ID}")
    line = line_of(config, "organisation.yml", "id: sea_growth")
    one_problem_with(
        problems(config, tmp_path / "raw"),
        f"organisation.yml:{line} (teams[4])",
        "(ID, MY, PH, TH) do not share one tier; give the team a maturity_tier",
    )


def _land_example(config, raw, today=TODAY):
    valid = validate_config_dir(config, raw, today)
    landed_at = datetime.combine(today, time(9), tzinfo=UTC)  # landed on the day it was checked
    return land_config(valid.config, valid.references.kpi_directions, raw, landed_at)


def test_retroactive_change_to_a_started_quarter_is_rejected(tmp_path):
    config, raw = example_copy(tmp_path), tmp_path / "raw"
    _land_example(config, raw)
    edit(config, "kpi_sets.yml",
         "{kpi: live_avg_watch_seconds, weight: 30, scope: person}\n      - {kpi: live_gmv, weight: 50,",
         "{kpi: live_avg_watch_seconds, weight: 35, scope: person}\n      - {kpi: live_gmv, weight: 45,")  # fmt: skip
    line = line_of(config, "kpi_sets.yml", "valid_from: 2026-10-01") - 2
    one_problem_with(
        problems(config, raw),
        f"kpi_sets.yml:{line} (kpi_sets[1])",
        "set 'live_host' from 2026-10-01 changed",
        "add an override (kind: weight, with reason and approved_by)",
    )


def test_a_change_to_a_quarter_not_yet_started_is_accepted(tmp_path):
    config, raw = example_copy(tmp_path), tmp_path / "raw"
    before_q4 = TODAY.replace(month=9, day=15)
    _land_example(config, raw, before_q4)
    edit(config, "kpi_sets.yml",
         "{kpi: live_avg_watch_seconds, weight: 30, scope: person}\n      - {kpi: live_gmv, weight: 50,",
         "{kpi: live_avg_watch_seconds, weight: 35, scope: person}\n      - {kpi: live_gmv, weight: 45,")  # fmt: skip
    validate_config_dir(config, raw, before_q4)
    assert any("changed" in p for p in problems(config, raw, TODAY))


def test_an_executive_with_the_id_of_a_person_is_rejected(tmp_path):
    """One id, one PostgreSQL login: an executive may not reuse a person's id."""
    config = example_copy(tmp_path)
    edit(config, "organisation.yml", "{id: grace_lim, name:", "{id: wei_zhang, name:")
    line = line_of(config, "organisation.yml", "{id: wei_zhang, name:")
    one_problem_with(
        problems(config, tmp_path / "raw"),
        f"organisation.yml:{line} (executives[0])",
        "duplicate person id 'wei_zhang'",
    )


def test_an_executive_entry_with_an_unknown_key_is_rejected(tmp_path):
    config = example_copy(tmp_path)
    edit(config, "organisation.yml", "{id: grace_lim, name: Grace Lim}", "{id: grace_lim, role: x}")
    one_problem_with(problems(config, tmp_path / "raw"), "(executives[0]", "role")


def test_a_region_id_the_marts_reserve_is_refused(tmp_path):
    """'unassigned' is the drivers marts' region of shops in no region (dbt macro
    driver_region_id): a configured region of that id would merge with them."""
    macro = REPO_ROOT / "dbt_project" / "macros" / "definitions" / "kpi_drivers.sql"
    assert "coalesce({{ shops }}.region_id, 'unassigned')" in macro.read_text(encoding="utf-8")
    config = example_copy(tmp_path)
    edit(config, "organisation.yml", "{id: europe, name: Europe,", "{id: unassigned, name: Europe,")
    line = line_of(config, "organisation.yml", "{id: unassigned, name: Europe,")
    one_problem_with(
        problems(config, tmp_path / "raw"),
        f"organisation.yml:{line}",
        "region id 'unassigned' is reserved",
    )
