"""dbt reuses the project's parse in any LINKSTAR_HOME (lib/dbt_command.py, macros/source.sql).

A full parse costs ~10 s of CPU per dbt command; before, every new home (each test, each seller
folder) paid it because the warehouse path and the raw folders were parse inputs.
"""

import shutil
from pathlib import Path

from tests.e2e.dbt_cli import run_dbt


def test_a_new_home_reuses_the_projects_parse_and_reads_its_own_raw_files(tmp_path):
    from linkstar_pipeline.defs.dbt.project import dbt_project

    target = tmp_path / "target"
    target.mkdir()
    project_target = Path(dbt_project.project_dir) / dbt_project.target_path
    shutil.copy(project_target / "partial_parse.msgpack", target)
    home = tmp_path / "another home"
    home.mkdir()

    result = run_dbt(
        home,
        "--log-level",
        "debug",
        "compile",
        "--select",
        "stg_tiktok_ads__ads",
        target_path=target,
    )

    assert "Unable to do partial parsing" not in result.stdout, result.stdout[-3000:]
    assert "Partial parsing enabled" in result.stdout
    compiled = next((target / "compiled").rglob("stg_tiktok_ads__ads.sql")).read_text()
    assert f"read_json('{home}/raw/tiktok_ads/ads/*.jsonl.gz'" in compiled
    assert "$LINKSTAR_HOME" not in compiled
