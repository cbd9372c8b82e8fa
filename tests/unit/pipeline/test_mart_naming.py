"""Every mart column follows the one naming convention (linkstar_pipeline/lib/mart_naming.py),
read from the marts' yml, and docs/mart_renames.md stays an exact map from the old names."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import pytest

from linkstar_pipeline.lib.mart_naming import (
    EXCEPTIONS,
    MartColumn,
    convention_breaches,
    mart_columns,
    naming_problem,
)

ROOT = Path(__file__).resolve().parents[3]
MARTS_DIR = ROOT / "dbt_project" / "models" / "marts"
RENAMES = ROOT / "docs" / "mart_renames.md"


@pytest.fixture(scope="module")
def columns() -> list[MartColumn]:
    return mart_columns(MARTS_DIR)


def test_every_mart_column_follows_the_naming_convention(columns):
    assert convention_breaches(columns) == []


def test_every_exception_still_excuses_a_column_that_breaks_a_rule(columns):
    unused = [
        pattern
        for pattern in EXCEPTIONS
        if not any(
            fnmatch.fnmatch(f"{c.mart}.{c.name}", pattern) and naming_problem(c) for c in columns
        )
    ]
    assert unused == [], "remove exceptions no column needs any more"


@pytest.mark.parametrize(
    ("name", "data_type"),
    [
        ("stat_date", "date"),
        ("date_day", "date"),
        ("rate_day", "date"),
        ("inventory_date", "date"),
        ("created_at", "timestamp"),
        ("gmv_paid", "decimal"),
        ("aov_paid_reporting", "decimal"),
        ("refund_amount_by_order_date", "decimal"),
        ("ctr", "decimal"),
        ("cpm", "decimal"),
        ("settled_gmv_share", "decimal"),
        ("response_rate_12h", "decimal"),
        ("sku_count", "integer"),
        ("orders_rate", "bigint"),
    ],
)
def test_names_that_hide_a_day_money_or_a_ratio_are_refused(name, data_type):
    assert naming_problem(MartColumn("any_mart", name, data_type)) is not None


@pytest.mark.parametrize(
    ("name", "data_type"),
    [
        ("local_date", "date"),
        ("paid_local_date", "date"),
        ("week_start", "date"),
        ("paid_at_utc", "timestamp"),
        ("gmv_paid_amount", "decimal"),
        ("aov_paid_amount_reporting", "decimal"),
        ("refund_rate", "decimal"),
        ("avg_settlement_days", "decimal"),
        ("orders_paid", "bigint"),
        ("reporting_currency", "varchar"),
    ],
)
def test_names_that_say_what_they_hold_pass(name, data_type):
    assert naming_problem(MartColumn("any_mart", name, data_type)) is None


def _renames() -> list[tuple[str, str, str]]:
    block = re.search(r"```\n(.*?)```", RENAMES.read_text(), re.DOTALL)
    assert block, f"{RENAMES}: no fenced block of renames"
    rows = []
    for line in block.group(1).splitlines():
        match = re.fullmatch(r"(\w+)\.(\w+) -> (\w+)", line)
        assert match, f"{RENAMES}: not `old_mart.old_column -> new_column`: {line!r}"
        rows.append(match.groups())
    return rows


def test_the_rename_table_maps_old_names_that_are_gone_to_names_that_exist(columns):
    names = {(c.mart, c.name) for c in columns}
    for mart, old, new in _renames():
        assert (mart, new) in names, f"{mart}.{new} (renamed from {old}) is no mart column"
        assert (mart, old) not in names, f"{mart}.{old} is still a column"
