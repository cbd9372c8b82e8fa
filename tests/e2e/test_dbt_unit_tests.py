"""Every dbt unit test passes, and the project's own generic test `column_rules` catches a
null. The refresh's `dbt build` leaves unit tests out (their inputs are fixed rows, so
production runs gain nothing from them); they run here, once per suite, against a copy of the
shared e2e warehouse (dbt reads the input relations' column types from it). The same dbt
invocation runs one model's `column_rules` tests after a null is written into that copy:
each dbt process costs ~15 s of start-up and parsing, and unit tests read no table's rows."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from linkstar_pipeline.defs.dbt.project import dbt_project
from tests.e2e.dbt_cli import run_dbt

pytestmark = pytest.mark.e2e

NULLED_MODEL = "int_customer_first_orders"


@dataclass(frozen=True)
class DbtTestRun:
    home: Path
    results: list[dict]
    returncode: int


@pytest.fixture(scope="module")
def dbt_test_run(loaded_warehouse, tmp_path_factory) -> DbtTestRun:
    home, *_ = loaded_warehouse
    root = tmp_path_factory.mktemp("dbt_tests")
    copy = root / "home"
    # dbt opens the warehouse for writing: a copy keeps the shared one free for readers.
    shutil.copytree(home, copy, ignore=shutil.ignore_patterns("serving", "*.lock"))
    # The real table passes its column_rules test: the shared refresh's checks all passed
    # (test_refresh_matches_ground_truth.py::test_dbt_tests_ran_as_asset_checks_and_passed).
    with duckdb.connect(str(copy / "warehouse.duckdb")) as connection:
        connection.execute(
            f"update intermediate.{NULLED_MODEL} set cohort_month = null where first_order_id = "
            f"(select min(first_order_id) from intermediate.{NULLED_MODEL})"
        )
    target = root / "target"
    finished = run_dbt(
        copy,
        "test",
        *("--select", "test_type:unit", f"test_name:column_rules,{NULLED_MODEL}"),
        target_path=target,
        expect_success=False,  # the column_rules test must fail
    )
    results = json.loads((target / "run_results.json").read_text())["results"]
    return DbtTestRun(copy, results, finished.returncode)


def test_every_dbt_unit_test_passes(dbt_test_run):
    defined = set(json.loads(dbt_project.manifest_path.read_text())["unit_tests"])
    passed = {r["unique_id"] for r in dbt_test_run.results if r["status"] == "pass"}
    assert len(defined) > 40
    assert passed == defined


def test_a_null_in_one_listed_column_fails_the_models_test_and_is_named(dbt_test_run):
    assert dbt_test_run.returncode == 1
    (result,) = [r for r in dbt_test_run.results if r["unique_id"].startswith("test.")]
    assert (result["status"], result["failures"]) == ("fail", 1)
    with duckdb.connect(str(dbt_test_run.home / "warehouse.duckdb"), read_only=True) as connection:
        (row,) = connection.execute(result["compiled_code"]).fetchall()
    # The failing row names the rule, the column and how many rows break it.
    assert row == ("not_null", "cohort_month", None, 1)
