"""Every dbt unit test passes. The refresh's `dbt build` leaves them out (their inputs are fixed
rows, so production runs gain nothing from them); they run here, once per suite, against a copy
of the shared e2e warehouse (dbt reads the input relations' column types from it)."""

from __future__ import annotations

import json
import shutil

import pytest

from linkstar_pipeline.defs.dbt.project import dbt_project
from tests.e2e.dbt_cli import run_dbt

pytestmark = pytest.mark.e2e


def test_every_dbt_unit_test_passes(loaded_warehouse, tmp_path):
    home, *_ = loaded_warehouse
    copy = tmp_path / "home"
    # dbt opens the warehouse for writing: a copy keeps the shared one free for readers.
    shutil.copytree(home, copy, ignore=shutil.ignore_patterns("serving", "*.lock"))
    target = tmp_path / "target"
    run_dbt(copy, "test", "--select", "test_type:unit", target_path=target)

    defined = set(json.loads(dbt_project.manifest_path.read_text())["unit_tests"])
    results = json.loads((target / "run_results.json").read_text())["results"]
    passed = {r["unique_id"] for r in results if r["status"] == "pass"}
    assert len(defined) > 40
    assert passed == defined
