"""The project's `not_null_columns` generic test (one query per model for all the columns that
must be filled) catches a null in any one of its columns and names the column."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from tests.e2e.dbt_cli import run_dbt

pytestmark = pytest.mark.e2e

MODEL = "int_customer_first_orders"


def test_a_null_in_one_listed_column_fails_the_models_test_and_is_named(loaded_warehouse, tmp_path):
    home, *_ = loaded_warehouse
    copy = tmp_path / "home"
    shutil.copytree(home, copy, ignore=shutil.ignore_patterns("serving", "*.lock"))
    target = tmp_path / "target"
    # The real table passes: the shared refresh's asset checks all passed
    # (test_refresh_matches_ground_truth.py::test_dbt_tests_ran_as_asset_checks_and_passed).
    with duckdb.connect(str(copy / "warehouse.duckdb")) as connection:
        (order_id,) = connection.execute(
            f"update intermediate.{MODEL} set cohort_month = null "
            f"where first_order_id = (select min(first_order_id) from intermediate.{MODEL}) "
            "returning first_order_id"
        ).fetchone()
    failed = run_dbt(
        copy,
        "test",
        *("--select", f"test_name:not_null_columns,{MODEL}"),
        target_path=target,
        expect_success=False,
    )

    assert failed.returncode == 1
    (result,) = json.loads((target / "run_results.json").read_text())["results"]
    assert (result["status"], result["failures"]) == ("fail", 1)
    with duckdb.connect(str(copy / "warehouse.duckdb"), read_only=True) as connection:
        rows = connection.execute(result["compiled_code"]).fetchall()
    (row,) = rows
    assert row[2] == order_id and row[-1].split() == ["cohort_month"]
