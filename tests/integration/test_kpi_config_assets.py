"""The kpi_config multi-asset, materialized for real into a temporary LINKSTAR_HOME."""

from __future__ import annotations

import shutil

import dagster as dg

from linkstar_pipeline import cli
from linkstar_pipeline.defs.kpi_config.assets import CHECK_NAME, kpi_config_tables
from linkstar_pipeline.lib.kpi_config.landing import newest_landed, table_path
from linkstar_pipeline.lib.kpi_config.normalize import TABLES
from linkstar_pipeline.lib.kpi_config.validate import REPO_ROOT
from linkstar_pipeline.lib.raw_landing import read_raw_rows


def _materialize():
    result = dg.materialize([kpi_config_tables], instance=dg.DagsterInstance.ephemeral())
    assert result.success
    (check,) = result.get_asset_check_evaluations()
    assert check.check_name == CHECK_NAME
    return result, check


def _metadata(result, table="versions"):
    (event,) = [
        e for e in result.get_asset_materialization_events() if e.asset_key.path[-1] == table
    ]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def test_materializing_lands_every_table_then_nothing_new(linkstar_home, monkeypatch):
    monkeypatch.delenv("LINKSTAR_KPI_CONFIG_DIR", raising=False)
    result, check = _materialize()
    raw = linkstar_home / "raw"
    assert check.passed
    assert {e.asset_key.path[0] for e in result.get_asset_materialization_events()} == {
        "kpi_config"
    }
    assert len(result.get_asset_materialization_events()) == len(TABLES)
    assert all(read_raw_rows(table_path(raw, table, 1)) for table in TABLES)
    first = _metadata(result)
    assert first["valid"] is True and first["version"] == 1 and first["landed_new_version"] is True

    again, check = _materialize()
    assert check.passed and _metadata(again)["landed_new_version"] is False
    assert newest_landed(raw).version == 1


def test_an_invalid_config_fails_the_check_lands_nothing_and_keeps_the_version(
    linkstar_home, monkeypatch, tmp_path
):
    config = tmp_path / "kpi_config"
    shutil.copytree(REPO_ROOT / "kpi_config", config)
    monkeypatch.setenv("LINKSTAR_KPI_CONFIG_DIR", str(config))
    _materialize()
    raw = linkstar_home / "raw"
    files = sorted(path for path in raw.rglob("*") if path.is_file())

    targets = config / "targets.yml"
    targets.write_text(
        targets.read_text().replace("value: 591000, currency: USD}", "value: 591000}")
    )
    result, check = _materialize()
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    problems = check.metadata["problems"].value
    assert "targets.yml:" in problems and "needs a `currency`" in problems
    metadata = _metadata(result, "targets")
    assert metadata["valid"] is False and metadata["version"] == 1
    assert sorted(path for path in raw.rglob("*") if path.is_file()) == files


def test_cli_check_prints_every_problem_and_exits_1(linkstar_home, tmp_path, capsys):
    config = tmp_path / "kpi_config"
    shutil.copytree(REPO_ROOT / "kpi_config", config)
    assert cli.main(["kpi-config", "check", "--dir", str(config)]) == 0
    assert "valid" in capsys.readouterr().out
    sets = config / "kpi_sets.yml"
    sets.write_text(sets.read_text().replace("{kpi: roas, weight: 50,", "{kpi: roas, weight: 60,"))
    assert cli.main(["kpi-config", "check", "--dir", str(config)]) == 1
    out = capsys.readouterr().out
    assert "1 problem(s)" in out and "kpi_sets.yml:" in out and "sum to 110, not 100" in out
