"""Every dbt unit test passes. The refresh's `dbt build` leaves them out (their inputs are fixed
rows, so production runs gain nothing from them); they run here, once per suite, against a copy
of the shared e2e warehouse (dbt reads the input relations' column types from it)."""

from __future__ import annotations

import json

import pytest

from linkstar_pipeline.defs.dbt.project import dbt_project
from tests.conftest import copy_home, worker_home
from tests.e2e.dbt_cli import run_dbt

pytestmark = pytest.mark.e2e


def test_every_dbt_unit_test_passes(loaded_warehouse, tmp_path, tmp_path_factory):
    home, *_ = loaded_warehouse
    copy = worker_home(tmp_path_factory)  # dbt's parse cache stays warm across tests
    # dbt opens the warehouse for writing: a copy keeps the shared one free for readers.
    copy_home(home, copy)
    target = tmp_path / "target"
    run_dbt(copy, "test", "--select", "test_type:unit", target_path=target)

    defined = set(json.loads(dbt_project.manifest_path.read_text())["unit_tests"])
    results = json.loads((target / "run_results.json").read_text())["results"]
    passed = {r["unique_id"] for r in results if r["status"] == "pass"}
    assert len(defined) > 40
    assert passed == defined
