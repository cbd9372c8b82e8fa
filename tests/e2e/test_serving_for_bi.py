"""Issue 17 §2 and §3 on the real marts of the shared refresh: the published folder, copied to
another path, opens in an older DuckDB (as BI drivers bundle it) with every mart whole, and
every mart and column carries its dbt yml description as a comment."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.old_duckdb import read_with_old_duckdb

pytestmark = pytest.mark.e2e

MARTS_YML = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts"


def _yml_descriptions() -> dict[str, tuple[str, dict[str, str]]]:
    """{mart: (description, {column: description})}, read from the yml files themselves."""
    described = {}
    for path in sorted(MARTS_YML.glob("*.yml")):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            columns = {c["name"]: (c.get("description") or "").strip() for c in model["columns"]}
            described[model["name"]] = ((model.get("description") or "").strip(), columns)
    return described


def _warehouse_marts(home: Path) -> dict[str, int]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as warehouse:
        tables = warehouse.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' and table_type = 'BASE TABLE'"
        ).fetchall()
        return {
            name: warehouse.execute(f'select count(*) from marts."{name}"').fetchone()[0]
            for (name,) in tables
        }


@pytest.fixture(scope="module")
def old_duckdb_report(loaded_warehouse, tmp_path_factory) -> dict:
    """What DuckDB 1.1 reads from a copy of the published folder at another path."""
    home, *_ = loaded_warehouse
    copy = tmp_path_factory.mktemp("moved") / "serving"
    shutil.copytree(home / "serving", copy)
    return read_with_old_duckdb(copy / "serving.duckdb")


def test_an_older_duckdb_reads_every_mart_of_a_moved_serving_folder(
    loaded_warehouse, old_duckdb_report
):
    home, *_ = loaded_warehouse
    expected = _warehouse_marts(home)
    assert len(expected) >= 40
    published = {
        name.removeprefix("marts."): table["rows"]
        for name, table in old_duckdb_report["tables"].items()
        if name.startswith("marts.")
    }
    assert published == expected


def test_every_mart_and_column_carries_its_yml_description_as_a_comment(old_duckdb_report):
    described = _yml_descriptions()
    marts = {
        name.removeprefix("marts."): table
        for name, table in old_duckdb_report["tables"].items()
        if name.startswith("marts.")
    }
    assert len(marts) >= 40
    wrong = []
    for mart, table in sorted(marts.items()):
        description, columns = described[mart]
        assert description, f"{mart} has no description in its yml"
        if table["comment"] != description:
            wrong.append((mart, None, table["comment"]))
        for column, comment in table["columns"].items():
            if not comment or comment != columns.get(column):
                wrong.append((mart, column, comment))
    assert wrong == [], wrong[:10]
