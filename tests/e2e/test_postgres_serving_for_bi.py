"""Issue 17 §1 on the real marts of the shared refresh: every mart reaches PostgreSQL whole with
its yml descriptions as comments, and each role reads only what organisation.yml gives it.

No pipeline run of its own: it publishes the shared refresh's serving.duckdb to the worker's
PostgreSQL server. Region membership is read from organisation.yml as plain YAML.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import psycopg
import pytest
import yaml

from linkstar_pipeline.defs.dbt.project import dbt_project
from linkstar_pipeline.lib.clock import pipeline_today
from linkstar_pipeline.lib.kpi_config.loader import load_config
from linkstar_pipeline.lib.mart_docs import mart_docs
from linkstar_pipeline.lib.postgres_serving import publish_to_postgres
from tests.e2e.test_serving_for_bi import _yml_descriptions

pytestmark = pytest.mark.e2e

CONFIG_DIR = Path(__file__).resolve().parents[2] / "kpi_config"
ORG = yaml.safe_load((CONFIG_DIR / "organisation.yml").read_text())
DATABASE = "linkstar_e2e"


def _americas() -> dict[str, set[str]]:
    """The Americas' keys by column, from the YAML: what its lead's rows may hold."""
    (region,) = [r for r in ORG["regions"] if r["id"] == "americas"]
    teams = [t for t in ORG["teams"] if t["region"] == "americas"]
    team_ids = {t["id"] for t in teams}
    return {
        "shop_id": {s["shop_id"] for t in teams for s in t["shops"]},
        "market": set(region["markets"]),
        "region_id": {"americas"},
        "team_id": team_ids,
        "person_id": {
            p["id"] for p in ORG["people"] if any(a["team"] in team_ids for a in p["assignments"])
        },
    }


@pytest.fixture(scope="module")
def published(loaded_warehouse, postgres):
    home, *_ = loaded_warehouse
    url = postgres.create_database(DATABASE)
    serving = home / "serving" / "serving.duckdb"
    docs = mart_docs(dbt_project.manifest_path, "marts")
    result = publish_to_postgres(url, serving, docs, load_config(CONFIG_DIR), pipeline_today())
    with duckdb.connect(str(serving), read_only=True) as source:
        columns = {}
        for table, column in source.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'marts' order by table_name, ordinal_position"
        ).fetchall():
            columns.setdefault(table, []).append(column)
        counts = {
            mart: source.execute(f'select count(*) from marts."{mart}"').fetchone()[0]
            for mart in columns
        }
    return result, columns, counts, postgres


def _query(server, person: str, query: str) -> list[tuple]:
    with psycopg.connect(server.url(person, DATABASE)) as reader:
        return reader.execute(query).fetchall()


def test_headquarters_reads_every_mart_whole_with_its_descriptions(published):
    result, _, counts, server = published
    assert len(counts) >= 40
    assert result.rows_per_mart == counts
    for mart, rows in counts.items():
        assert _query(server, "wei_zhang", f'select count(*) from marts."{mart}"') == [(rows,)]
    comments = _query(
        server,
        "wei_zhang",
        "select c.relname, a.attname, col_description(c.oid, a.attnum), obj_description(c.oid) "
        "from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped "
        "where n.nspname = 'marts' and c.relkind = 'r'",
    )
    described = _yml_descriptions()
    wrong = [
        (mart, column)
        for mart, column, comment, table_comment in comments
        if comment != described[mart][1].get(column) or table_comment != described[mart][0]
    ]
    assert wrong == [], wrong[:10]


def test_the_americas_lead_reads_only_americas_rows_in_every_mart(published):
    _, columns, counts, server = published
    americas = _americas()
    readable = []
    for mart, names in columns.items():
        keys = [column for column in names if column in americas]
        group = f" group by {', '.join(keys)}" if keys else ""
        select = f'select {"".join(f"{key}, " for key in keys)}count(*) from marts."{mart}"'
        try:
            rows = _query(server, "carlos_mendez", select + group)
        except psycopg.errors.InsufficientPrivilege:
            continue
        readable.append(mart)
        for row in rows:
            for column, value in zip(keys, row, strict=False):
                assert value is None or value in americas[column], (mart, column, value)
        if keys:
            assert sum(row[-1] for row in rows) < counts[mart], mart
    assert {"kpi_shop_daily", "fct_orders", "dim_shops", "kpi_scorecards"} <= set(readable)
    shops = ", ".join(f"'{shop}'" for shop in sorted(americas["shop_id"]))
    total = "select count(*), sum(gmv_paid_amount) from marts.kpi_shop_daily"
    lead = _query(server, "carlos_mendez", total)
    assert lead == _query(server, "wei_zhang", f"{total} where shop_id in ({shops})")
    assert lead[0][0] > 0
    # The drivers' region rows carry the configuration's region id: the lead reads their own
    # region's "why it moved", as headquarters does.
    for mart in ("kpi_drivers_daily", "kpi_drivers_weekly", "kpi_drivers_items_daily"):
        region_rows = f"select count(*) from marts.{mart} where scope_type = 'region'"
        own = _query(server, "carlos_mendez", region_rows)
        assert own == _query(server, "wei_zhang", f"{region_rows} and scope_id = 'americas'"), mart
        assert own[0][0] > 0, mart


def test_the_executive_reads_only_roll_ups_scorecards_and_reference_data(published):
    _, columns, counts, server = published
    readable = set()
    for mart in columns:
        try:
            rows = _query(server, "grace_lim", f'select count(*) from marts."{mart}"')
        except psycopg.errors.InsufficientPrivilege:
            continue
        assert rows == [(counts[mart],)], mart  # whole: roll-ups hold no shop rows
        readable.add(mart)
    assert readable == {
        "kpi_market_daily",
        "kpi_seller_daily",
        "kpi_scorecards",
        "dim_dates",
        "fct_fx_rates_daily",
    }
    assert all("shop_id" not in columns[mart] for mart in readable)


def test_the_region_folders_split_the_shop_marts_without_losing_or_sharing_a_row(
    loaded_warehouse,
):
    """The refresh's publish wrote one folder per region: every shop row is in the folder of
    its shop's region (from the YAML) and in no other."""
    home, *_ = loaded_warehouse
    regions = home / "serving" / "regions"
    assert {folder.name for folder in regions.iterdir()} == {r["id"] for r in ORG["regions"]}
    shop_region = {s["shop_id"]: t["region"] for t in ORG["teams"] for s in t["shops"]}
    with duckdb.connect() as files:
        for mart in ("kpi_shop_daily", "fct_orders"):
            whole = files.execute(
                "select shop_id, count(*) from read_parquet(?) group by all",
                [str(home / "serving" / f"{mart}.parquet")],
            ).fetchall()
            for region in shop_region.values():
                part = files.execute(
                    "select shop_id, count(*) from read_parquet(?) group by all",
                    [str(regions / region / f"{mart}.parquet")],
                ).fetchall()
                expected = {(s, n) for s, n in whole if shop_region.get(s) == region}
                assert set(part) == expected and expected, (mart, region)
