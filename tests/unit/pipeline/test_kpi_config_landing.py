"""Landing: version 1 holds every §2 table, the same config lands nothing, a change lands
version 2 with a summary of what changed."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

from linkstar_pipeline.lib.kpi_config.landing import land_config, newest_landed, table_path
from linkstar_pipeline.lib.kpi_config.normalize import TABLES
from linkstar_pipeline.lib.kpi_config.validate import validate_config_dir
from linkstar_pipeline.lib.raw_landing import read_raw_rows
from tests.unit.pipeline.kpi_config_helpers import TODAY, edit, example_copy

LOADED_AT = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)


def _land(config, raw, loaded_at=LOADED_AT):
    valid = validate_config_dir(config, raw, TODAY)
    return land_config(valid.config, valid.references.kpi_directions, raw, loaded_at, "abc123")


def test_first_landing_writes_version_1_of_every_table_with_metadata(tmp_path):
    config, raw = example_copy(tmp_path), tmp_path / "raw"
    result = _land(config, raw)
    assert (result.landed, result.version) == (True, 1)
    for table in TABLES:
        rows = read_raw_rows(table_path(raw, table, 1))
        assert rows, table
        assert {row["config_version"] for row in rows} == {1}
        assert {row["config_sha256"] for row in rows} == {result.sha256}
        assert {row["loaded_at"] for row in rows} == {"2026-11-23T08:30:00.000000"}
        with gzip.open(table_path(raw, table, None), "rt") as placeholder:
            assert placeholder.read() == ""
    (version,) = read_raw_rows(table_path(raw, "versions", 1))
    assert version["git_commit"] == "abc123" and version["changes"].startswith("initial version")
    verbatim = raw / "kpi_config" / "files" / "v000001" / "targets.yml"
    assert verbatim.read_bytes() == (config / "targets.yml").read_bytes()


def test_rows_follow_the_contract(tmp_path):
    config, raw = example_copy(tmp_path), tmp_path / "raw"
    _land(config, raw)
    moves = [
        r for r in read_raw_rows(table_path(raw, "assignments", 1)) if r["person_id"] == "hana_sato"
    ]
    assert sorted((r["team_id"], r["valid_from"], r["valid_to"]) for r in moves) == [
        ("sea_growth", "2026-07-01", "2026-11-15"),
        ("sg_home", "2026-11-16", None),
    ]
    sets = read_raw_rows(table_path(raw, "kpi_sets", 1))
    returns = next(r for r in sets if r["set_id"] == "team" and r["kpi"] == "return_rate")
    assert (returns["subject_kind"], returns["subject"], returns["direction"]) == (
        "team",
        "*",
        "lower",
    )
    targets = read_raw_rows(table_path(raw, "targets", 1))
    company = next(r for r in targets if r["target_id"] == "company_gmv")
    assert (company["scope_id"], company["month_from"], company["month_to"]) == (
        "ALL",
        "2026-07-01",
        None,
    )
    assert company["target_value"] == "591000" and company["currency"] == "USD"
    ramp = read_raw_rows(table_path(raw, "transitions", 1))
    assert [(r["month_index"], r["factor"]) for r in ramp] == [(0, "0.5"), (1, "0.75"), (2, "1")]
    teams = {r["team_id"]: r["maturity_tier"] for r in read_raw_rows(table_path(raw, "teams", 1))}
    assert teams["sea_growth"] == "growing" and teams["mx_launch"] == "new"


def test_landing_the_same_config_again_lands_nothing(tmp_path):
    config, raw = example_copy(tmp_path), tmp_path / "raw"
    first = _land(config, raw)
    files = sorted(path for path in raw.rglob("*") if path.is_file())
    again = _land(config, raw, LOADED_AT.replace(hour=9))
    assert (again.landed, again.version, again.sha256) == (False, 1, first.sha256)
    assert sorted(path for path in raw.rglob("*") if path.is_file()) == files


def test_a_changed_config_lands_version_2_with_a_changes_summary(tmp_path):
    config, raw = example_copy(tmp_path), tmp_path / "raw"
    first = _land(config, raw)
    edit(config, "targets.yml", "value: 591000, currency: USD}", "value: 620000, currency: USD}")
    second = _land(config, raw, LOADED_AT.replace(day=24))
    assert (second.landed, second.version) == (True, 2) and second.sha256 != first.sha256
    assert second.changes == "targets: +1 -1 rows"
    assert newest_landed(raw).version == 2
    assert read_raw_rows(table_path(raw, "targets", 1)) != read_raw_rows(
        table_path(raw, "targets", 2)
    )
