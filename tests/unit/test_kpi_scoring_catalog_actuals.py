"""The scoring catalogue agrees with the KPI dictionary and every catalogue KPI is computed.

Static checks on the repository's files (no warehouse): each (kpi, scope) row of
`dbt_project/seeds/kpi_scoring_catalog.csv` names a dictionary KPI with the same direction, has a
measure block in `fct_kpi_actuals_daily.sql` and a branch in the `kpi_value` macro, and every
scope the catalogue uses is one the model rolls up to.
"""

import csv
import re
from pathlib import Path

import yaml

DBT = Path(__file__).resolve().parents[2] / "dbt_project"
CATALOG = DBT / "seeds" / "kpi_scoring_catalog.csv"
ACTUALS_SQL = DBT / "models" / "marts" / "fct_kpi_actuals_daily.sql"
FORMULAS_SQL = DBT / "macros" / "definitions" / "kpi_target_formulas.sql"


def _catalog_rows() -> list[dict[str, str]]:
    with CATALOG.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _dictionary_directions() -> dict[str, str]:
    directions = {}
    for path in sorted((DBT / "kpis").glob("*.yml")):
        for entry in yaml.safe_load(path.read_text())["kpis"]:
            directions[entry["name"]] = entry["direction"]
    return directions


def test_catalog_directions_agree_with_the_dictionary():
    directions = _dictionary_directions()
    wrong = [
        (row["kpi"], row["scope"], row["direction"], directions.get(row["kpi"]))
        for row in _catalog_rows()
        if directions.get(row["kpi"]) != row["direction"]
    ]
    assert wrong == [], f"catalogue direction differs from the KPI dictionary: {wrong}"


def test_every_catalog_kpi_has_a_measure_block_and_a_value_formula():
    sql = ACTUALS_SQL.read_text()
    measured = set(re.findall(r"select '([a-z0-9_]+)'(?: as kpi)?, shop_id, local_date", sql))
    formulas = FORMULAS_SQL.read_text()
    valued = set(re.findall(r"when '([a-z0-9_]+)' then", formulas))
    kpis = {row["kpi"] for row in _catalog_rows()}
    assert kpis - measured == set(), (
        f"catalogue KPIs without a measure in fct_kpi_actuals_daily: {kpis - measured}"
    )
    assert kpis - valued == set(), f"catalogue KPIs without a kpi_value branch: {kpis - valued}"


def test_every_catalog_scope_is_produced_with_its_identity():
    sql = ACTUALS_SQL.read_text()
    produced = set(
        re.findall(r"select\s+'(shop|team|market|region|company|person)'(?: as scope)?,", sql)
    )
    rows = _catalog_rows()
    assert {row["scope"] for row in rows} - produced == set()
    # Person rows come through an identity whose kind the measure block carries.
    kinds_in_sql = set(re.findall(r"local_date, '(live_host|ads_advertiser|cs_agent)'", sql))
    for row in rows:
        if row["scope"] == "person":
            assert row["identity_kind"] in kinds_in_sql, row
            block = re.search(rf"select '{row['kpi']}', shop_id, local_date, '([a-z_]+)'", sql)
            assert block and block.group(1) == row["identity_kind"], row
        else:
            assert row["identity_kind"] == "", row
