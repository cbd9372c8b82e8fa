"""Issue 17 §1: the marts in a real PostgreSQL, each reader seeing only the rows of their role.

Hand-made marts (no dbt build) carrying the organisation's real shops, markets, regions, teams
and people in the key columns the real marts have; the expected rows of each reader are worked
out here from organisation.yml as plain YAML. Readers log in as the people of the file.
"""

from __future__ import annotations

import shutil
import threading
import traceback
from pathlib import Path

import duckdb
import psycopg
import pytest
import yaml

from linkstar_pipeline.lib.clock import pipeline_today
from linkstar_pipeline.lib.kpi_config.loader import load_config
from linkstar_pipeline.lib.mart_docs import MartDoc
from linkstar_pipeline.lib.paths import LinkstarPaths
from linkstar_pipeline.lib.postgres_serving import PostgresPublishError, publish_to_postgres
from linkstar_pipeline.lib.region_folders import publish_region_folders
from linkstar_pipeline.lib.serving import publish_marts
from tests.integration.test_serving_publish import (
    reader_report,
    start_reader,
    wait_until_reading,
)
from tests.old_duckdb import read_with_old_duckdb

CONFIG_DIR = Path(__file__).resolve().parents[2] / "kpi_config"
ORG = yaml.safe_load((CONFIG_DIR / "organisation.yml").read_text())
SHOP_MARKET = {s["shop_id"]: s["market"] for t in ORG["teams"] for s in t["shops"]}
REGION_MARTS = ("kpi_shop_daily", "fct_kpi_actuals_daily")
DOCS = {
    "kpi_shop_daily": MartDoc("Sales per shop and day.", {"gmv_paid": "Paid GMV, shop currency."})
}


def _region_of() -> dict[tuple[str, str], str]:
    """(kind, key) -> region, straight from the YAML."""
    region_of = {}
    for region in ORG["regions"]:
        region_of[("region", region["id"])] = region["id"]
        region_of.update({("market", m): region["id"] for m in region["markets"]})
    team_region = {team["id"]: team["region"] for team in ORG["teams"]}
    for team in ORG["teams"]:
        region_of[("team", team["id"])] = team["region"]
        region_of.update({("shop", s["shop_id"]): team["region"] for s in team["shops"]})
    for person in ORG["people"]:
        for assignment in person["assignments"]:
            region_of[("person", person["id"])] = team_region[assignment["team"]]
    return region_of


REGION_OF = _region_of()


def _write_warehouse(paths: LinkstarPaths, build: int, days: int = 10, extra: str = "") -> None:
    """Marts with the real marts' key columns; every row carries `build`; `extra`: one more
    column in kpi_shop_daily (a changed table definition)."""
    markets = sorted({m for r in ORG["regions"] for m in r["markets"]})
    scoped = sorted({key for key in REGION_OF} | {("company", "ALL")})
    person_team = {p["id"]: p["assignments"][0]["team"] for p in ORG["people"]}
    with duckdb.connect(str(paths.warehouse)) as warehouse:
        warehouse.execute("create schema if not exists marts")
        days_sql = f"range({days}) as d(day)"
        warehouse.execute(
            "create or replace table marts.kpi_shop_daily as select shop_id, market, "
            "date '2026-11-01' + day::integer as local_date, "
            f"((day + 1) * 1.25 + length(shop_id))::decimal(18, 2) as gmv_paid, {build} as build"
            f"{f', 1 as {extra}' if extra else ''} "
            f"from (values {', '.join(f'({s!r}, {m!r})' for s, m in SHOP_MARKET.items())}) "
            f"as s(shop_id, market), {days_sql}"
        )
        warehouse.execute(
            "create or replace table marts.kpi_market_daily as select market, "
            "date '2026-11-01' + day::integer as local_date, "
            f"(day * 10 + 7)::decimal(18, 2) as gmv_paid, {build} as build "
            f"from (values {', '.join(f'({m!r})' for m in markets)}) as m(market), {days_sql}"
        )
        warehouse.execute(
            "create or replace table marts.kpi_seller_daily as select date '2026-11-01' + "
            f"day::integer as local_date, (day * 30 + 7)::decimal(18, 2) as gmv_amount_reporting, "
            f"{build} as build from {days_sql}"
        )
        warehouse.execute(
            "create or replace table marts.fct_kpi_actuals_daily as select scope, scope_id, "
            f"(day + 0.5)::decimal(38, 6) as value, {build} as build "
            f"from (values {', '.join(f'({k!r}, {i!r})' for k, i in scoped)}) as s(scope, "
            f"scope_id), {days_sql}"
        )
        warehouse.execute(
            "create or replace table marts.kpi_scorecards as select * from (values "
            + ", ".join(f"('person', {p!r}, {t!r})" for p, t in person_team.items())
            + f") as s(subject_kind, subject_id, team_id), (select {build} as build)"
        )
        warehouse.execute(
            "create or replace table marts.dim_dates as select date '2026-11-01' + "
            f"day::integer as local_date, {build} as build from {days_sql}"
        )
        warehouse.execute(
            "create or replace table marts.fct_inventory_daily as select 'SKU-' || day as "
            f"seller_sku, day as units_on_hand, {build} as build from {days_sql}"
        )


def _publish(paths: LinkstarPaths, url: str, config_dir: Path = CONFIG_DIR, docs=DOCS):
    publish_marts(paths, docs)
    return publish_to_postgres(
        url, paths.serving_database, docs, load_config(config_dir), pipeline_today()
    )


def _rows(url: str, query: str) -> list[tuple]:
    with psycopg.connect(url) as reader:
        return reader.execute(query).fetchall()


def _source(paths: LinkstarPaths, query: str) -> list[tuple]:
    with duckdb.connect(str(paths.serving_database), read_only=True) as serving:
        return serving.execute(query).fetchall()


@pytest.fixture(scope="module")
def published(postgres, tmp_path_factory):
    """(paths, the publisher's URL, the server) after one publish of build 1."""
    home = tmp_path_factory.mktemp("pg-serving") / "home"
    home.mkdir()
    paths = LinkstarPaths(home=home)
    url = postgres.create_database("serving_roles")
    _write_warehouse(paths, build=1)
    _publish(paths, url)
    return paths, url, postgres


def test_headquarters_reads_every_row_of_every_mart(published):
    paths, _, server = published
    hq = server.url("wei_zhang", "serving_roles")
    for mart in ("kpi_shop_daily", "kpi_market_daily", "fct_kpi_actuals_daily",
                 "kpi_scorecards", "dim_dates", "fct_inventory_daily"):  # fmt: skip
        query = f"select count(*), sum(build) from marts.{mart}"
        assert _rows(hq, query) == _source(paths, query), mart


@pytest.mark.parametrize("lead, region", [("carlos_mendez", "americas"), ("siti_rahma", "sea")])
def test_a_regional_lead_reads_only_their_regions_rows_by_any_query(published, lead, region):
    paths, _, server = published
    url = server.url(lead, "serving_roles")
    shops = {shop for (kind, shop), r in REGION_OF.items() if kind == "shop" and r == region}
    markets = {m for (kind, m), r in REGION_OF.items() if kind == "market" and r == region}
    shop_list = ", ".join(f"'{shop}'" for shop in sorted(shops))

    # A select with no WHERE: exactly the region's shops and markets, nothing else.
    assert {s for (s,) in _rows(url, "select shop_id from marts.kpi_shop_daily")} == shops
    assert {m for (m,) in _rows(url, "select market from marts.kpi_market_daily")} == markets
    # An aggregate: the region's total, not the company's.
    total = "select count(*), sum(gmv_paid) from marts.kpi_shop_daily"
    assert _rows(url, total) == _source(paths, f"{total} where shop_id in ({shop_list})")
    # A join, a subquery and a WHERE naming another region's shop add nothing.
    other_shop = next(s for (k, s), r in REGION_OF.items() if k == "shop" and r != region)
    assert _rows(url, f"select * from marts.kpi_shop_daily where shop_id = '{other_shop}'") == []
    joined = _rows(
        url,
        "select distinct s.market from marts.kpi_shop_daily s "
        "join marts.kpi_market_daily m using (market, local_date)",
    )
    assert {m for (m,) in joined} == {SHOP_MARKET[s] for s in shops}
    scopes = _rows(url, "select distinct scope, scope_id from marts.fct_kpi_actuals_daily")
    expected = {key for key, r in REGION_OF.items() if r == region}
    assert set(scopes) == expected  # no company row, no other region's team or person
    scorecards = _rows(url, "select subject_id from marts.kpi_scorecards")
    assert {p for (p,) in scorecards} == {k for (kind, k) in expected if kind == "person"}
    # Shared reference data whole; a mart with no region in it (inventory) not at all.
    assert _rows(url, "select count(*) from marts.dim_dates") == [(10,)]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _rows(url, "select count(*) from marts.fct_inventory_daily")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):  # the whole seller's totals
        _rows(url, "select count(*) from marts.kpi_seller_daily")
    # Nor by switching row security off, or reading the other regions' keys.
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _rows(url, "set row_security = off; select count(*) from marts.kpi_shop_daily")
    keys = _rows(url, "select distinct region_role from access.region_keys")
    assert keys == [(f"linkstar_region_{region}",)]


def test_an_executive_reads_the_roll_ups_and_scorecards_and_no_shop_row(published):
    paths, _, server = published
    url = server.url("grace_lim", "serving_roles")
    for mart in ("kpi_market_daily", "kpi_seller_daily", "kpi_scorecards", "dim_dates"):
        query = f"select count(*), sum(build) from marts.{mart}"
        assert _rows(url, query) == _source(paths, query), mart
    for mart in ("kpi_shop_daily", "fct_kpi_actuals_daily", "fct_inventory_daily"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _rows(url, f"select count(*) from marts.{mart}")


def test_people_without_a_bi_role_and_other_logins_read_nothing(published):
    *_, server = published
    with pytest.raises(psycopg.OperationalError, match="does not exist"):
        _rows(server.url("ivan_petrov", "serving_roles"), "select 1")  # a live host: no login
    with psycopg.connect(server.url("postgres_admin", "serving_roles"), autocommit=True) as admin:
        admin.execute("drop role if exists someone_else")
        admin.execute("create role someone_else login")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _rows(server.url("someone_else", "serving_roles"), "select * from marts.dim_dates")


def test_every_documented_column_carries_its_description_as_a_comment(published):
    _, url, _ = published
    comments = _rows(
        url,
        "select obj_description('marts.kpi_shop_daily'::regclass), "
        "col_description('marts.kpi_shop_daily'::regclass, 4)",
    )
    assert comments == [
        (DOCS["kpi_shop_daily"].description, DOCS["kpi_shop_daily"].columns["gmv_paid"])
    ]


def test_a_person_removed_from_the_file_loses_access_on_the_next_publish(published, tmp_path):
    paths, url, server = published
    config_dir = tmp_path / "kpi_config"
    shutil.copytree(CONFIG_DIR, config_dir)
    org = (config_dir / "organisation.yml").read_text()
    carlos = "  - id: carlos_mendez\n    name: Carlos Mendez\n"
    carlos += "    assignments: [{team: us_core, role: regional_lead, from: 2026-07-01}]\n"
    assert carlos in org
    (config_dir / "organisation.yml").write_text(org.replace(carlos, ""))
    lead = server.url("carlos_mendez", "serving_roles")
    assert _rows(lead, "select count(*) > 0 from marts.kpi_shop_daily") == [(True,)]
    try:
        result = _publish(paths, url, config_dir)
        assert "carlos_mendez from linkstar_region_americas" in result.revoked
        for mart in ("kpi_shop_daily", "dim_dates", "kpi_market_daily"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                _rows(lead, f"select count(*) from marts.{mart}")
    finally:
        _publish(paths, url)  # the module's other tests read the whole organisation
    assert _rows(lead, "select count(*) > 0 from marts.kpi_shop_daily") == [(True,)]


def test_a_failed_publish_leaves_the_previous_one_whole(published):
    paths, url, server = published
    hq = server.url("wei_zhang", "serving_roles")
    before = _rows(hq, "select publish_id from meta.publish")
    totals = "select (select sum(build) from marts.kpi_shop_daily), (select count(*) from marts.dim_dates)"
    previous = _rows(hq, totals)
    _write_warehouse(paths, build=2)
    with duckdb.connect(str(paths.warehouse)) as warehouse:  # PostgreSQL text holds no NUL
        warehouse.execute(
            "update marts.kpi_shop_daily set market = 'U' || chr(0) where day(local_date) = 5"
        )
    try:
        with pytest.raises(PostgresPublishError, match="kpi_shop_daily") as failure:
            _publish(paths, url)
        assert "rolled back" in str(failure.value)
        assert _rows(hq, "select publish_id from meta.publish") == before
        assert _rows(hq, totals) == previous
    finally:
        _write_warehouse(paths, build=1)
        _publish(paths, url)


def test_a_bi_query_loop_during_repeated_publishes_always_gets_one_publish(published, tmp_path):
    """Each query reads two marts and the publish id in one statement, as a BI dashboard does;
    one connection is kept (a pool's), every read must come from exactly one build. Meanwhile
    a process opens a region's serving.duckdb again and again (a file-based BI tool): it never
    fails either, and every read is one build."""
    paths, url, server = published
    config = load_config(CONFIG_DIR)
    publish_region_folders(paths.serving_database, config)
    stop_file, ready_file = tmp_path / "stop", tmp_path / "ready"
    region_database = paths.serving_dir / "regions" / "americas" / "serving.duckdb"
    file_reader = start_reader("fresh", region_database, stop_file, ready_file, REGION_MARTS)
    stop = threading.Event()
    reads: list[tuple] = []
    errors: list[str] = []
    query = (
        "select (select publish_id from meta.publish), "
        "(select array_agg(distinct build) from marts.kpi_shop_daily), "
        "(select array_agg(distinct build) from marts.fct_kpi_actuals_daily), "
        "(select count(*) from marts.kpi_shop_daily)"
    )

    def read_loop(reader_url: str) -> None:
        with psycopg.connect(reader_url, autocommit=True) as reader:
            while not stop.is_set():
                try:
                    reads.append(reader.execute(query).fetchone())
                except psycopg.Error as error:
                    errors.append(repr(error))

    readers = [
        threading.Thread(target=read_loop, args=(server.url(person, "serving_roles"),))
        for person in ("wei_zhang", "carlos_mendez")
    ]
    for reader in readers:
        reader.start()
    publishes = {}
    try:
        wait_until_reading(file_reader, ready_file)
        for build in range(2, 6):
            # A new column: the mart the readers read is created again under them; and a
            # changed description, updated in place.
            _write_warehouse(paths, build, extra=f"column_{build}")
            docs = {"kpi_shop_daily": MartDoc(f"Sales, build {build}.")}
            publishes[_publish(paths, url, docs=docs).publish_id] = build
            publish_region_folders(paths.serving_database, config)
    finally:
        stop.set()
        stop_file.touch()
        file_reads = reader_report(file_reader)["reads"]  # asserts it met no error
        for reader in readers:
            reader.join(timeout=60)
    assert [read for read in file_reads if len(read[1]) != 1] == []
    in_files = {
        publish_id: builds[0] for publish_id, builds in file_reads if publish_id in publishes
    }
    assert all(publishes[p] == build for p, build in in_files.items())
    assert len({publish_id for publish_id, _ in file_reads}) >= 3, "too few publishes read"
    assert errors == []
    assert reads, "no read happened"
    mixed = [read for read in reads if read[1] != read[2] or len(read[1]) != 1]
    assert mixed == [], mixed[:5]
    seen = {read[0]: read[1][0] for read in reads if read[0] in publishes}
    assert all(publishes[p] == build for p, build in seen.items())
    assert len({read[0] for read in reads}) >= 3, "the reads spanned too few publishes"
    _write_warehouse(paths, build=1)
    _publish(paths, url)


def test_each_region_folder_holds_exactly_what_its_lead_reads_in_postgres(published):
    """As Parquet files and as one serving.duckdb, which an older DuckDB opens too."""
    paths, _, server = published
    written = publish_region_folders(paths.serving_database, load_config(CONFIG_DIR))
    leads = {"americas": "carlos_mendez", "sea": "siti_rahma"}
    assert set(written) == {region["id"] for region in ORG["regions"]}
    for region, lead in leads.items():
        folder = paths.serving_dir / "regions" / region
        assert {p.stem for p in folder.glob("*.parquet")} == set(written[region])
        assert "fct_inventory_daily" not in written[region]  # headquarters only
        url = server.url(lead, "serving_roles")
        with duckdb.connect() as files, duckdb.connect(str(folder / "serving.duckdb")) as database:
            tables = database.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts'"
            )
            assert {table for (table,) in tables.fetchall()} == set(written[region])
            for mart in written[region]:
                lead_reads = sorted(_rows(url, f"select * from marts.{mart}"))
                parquet = f"select * from read_parquet('{folder / mart}.parquet')"
                assert sorted(files.execute(parquet).fetchall()) == lead_reads, mart
                in_database = database.execute(f"select * from marts.{mart}").fetchall()
                assert sorted(in_database) == lead_reads, mart
        old = read_with_old_duckdb(folder / "serving.duckdb")["tables"]
        assert {t: v["rows"] for t, v in old.items()} == {
            "meta.publish": 1,
            **{f"marts.{m}": rows for m, rows in written[region].items()},
        }
        assert old["marts.kpi_shop_daily"]["comment"] == DOCS["kpi_shop_daily"].description
        assert old["marts.kpi_shop_daily"]["columns"]["gmv_paid"] == "Paid GMV, shop currency."
    assert not list(paths.serving_dir.glob("regions/*/.*")), "no temporary file is left"


def _materialize_publish(monkeypatch, home: Path, url: str):
    """The Dagster asset as a refresh runs it, with LINKSTAR_POSTGRES_URL set to `url`."""
    import dagster as dg

    from linkstar_pipeline.defs.serving.assets import published_marts

    monkeypatch.setenv("LINKSTAR_HOME", str(home))
    monkeypatch.setenv("LINKSTAR_POSTGRES_URL", url)
    monkeypatch.delenv("LINKSTAR_KPI_CONFIG_DIR", raising=False)
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize([published_marts], instance=instance, raise_on_error=False)
        logged = [str(event) for event in result.all_events]
        logged += [str(record) for record in instance.all_logs(result.run_id)]
    return result, "\n".join(logged)


def test_a_failed_postgres_publish_is_a_failed_check_and_never_stops_the_duckdb_publish(
    postgres, monkeypatch, tmp_path, capsys
):
    """... and `linkstar run` says so in one line (its helper, on the same run result)."""
    from linkstar_pipeline.cli import _print_postgres_publish

    home = tmp_path / "home"
    home.mkdir()
    _write_warehouse(LinkstarPaths(home=home), build=7)
    secret = "s3cret-Passw0rd"
    url = postgres.create_database("serving_asset")
    down = f"postgresql://linkstar_publisher:{secret}@127.0.0.1:9/serving_asset"

    result, logged = _materialize_publish(monkeypatch, home, down)

    assert result.success  # the run, and so the DuckDB and Parquet publish, went through
    (check,) = result.get_asset_check_evaluations()
    assert not check.passed
    assert "127.0.0.1:9/serving_asset" in check.description
    assert "rolled back" in check.description
    with duckdb.connect(str(home / "serving" / "serving.duckdb"), read_only=True) as serving:
        assert serving.execute("select distinct build from marts.dim_dates").fetchall() == [(7,)]
    assert (home / "serving" / "regions" / "europe" / "kpi_shop_daily.parquet").exists()
    assert secret not in logged
    capsys.readouterr()
    _print_postgres_publish(result)
    assert capsys.readouterr().err.startswith("\nPostgreSQL: PostgreSQL publish to 127.0.0.1:9/")

    result, logged = _materialize_publish(monkeypatch, home, url.replace("@", f":{secret}@"))
    (check,) = result.get_asset_check_evaluations()
    assert check.passed, check.description
    hq = postgres.url("wei_zhang", "serving_asset")
    assert _rows(hq, "select distinct build from marts.kpi_shop_daily") == [(7,)]
    assert secret not in logged
    _print_postgres_publish(result)
    assert f"PostgreSQL: published to 127.0.0.1:{postgres.port}/serving_asset" in (
        capsys.readouterr().out
    )


def test_an_edited_description_changes_the_comment_without_recreating_the_table(published):
    paths, url, _ = published
    query = (
        "select 'marts.kpi_shop_daily'::regclass::oid, "
        "obj_description('marts.kpi_shop_daily'::regclass), "
        "col_description('marts.kpi_shop_daily'::regclass, 4)"
    )
    ((table, *_),) = _rows(url, query)
    try:
        _publish(paths, url, docs={"kpi_shop_daily": MartDoc("Sales, edited.")})
        assert _rows(url, query) == [(table, "Sales, edited.", None)]
    finally:
        _publish(paths, url)
    assert _rows(url, query)[0][1:] == (
        DOCS["kpi_shop_daily"].description,
        "Paid GMV, shop currency.",
    )


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://publisher:s3cret-Passw0rd%zz@127.0.0.1/linkstar",  # libpq quotes it back
        "postgresql://publisher:s3cret-Passw0rd@[127.0.0.1/linkstar",  # ... the whole URL
    ],
)
def test_a_failed_publish_never_shows_the_password(published, url):
    paths, *_ = published
    with pytest.raises(PostgresPublishError) as failure:
        publish_to_postgres(url, paths.serving_database, DOCS, load_config(CONFIG_DIR), None)
    logged = "".join(traceback.format_exception(failure.value))  # as a log shows it
    assert "s3cret-Passw0rd" not in logged
