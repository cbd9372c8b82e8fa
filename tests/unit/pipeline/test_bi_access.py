"""Who gets which BI role follows the organisation file on the publish day."""

from __future__ import annotations

from datetime import date

from linkstar_pipeline.lib.bi_access import reader_roles
from linkstar_pipeline.lib.kpi_config.loader import load_config
from tests.unit.pipeline.kpi_config_helpers import edit, example_copy

LEAD = "{team: us_core, role: regional_lead, from: 2026-07-01}"


def test_roles_follow_current_assignments_and_the_executives_list(tmp_path):
    roles = reader_roles(load_config(example_copy(tmp_path)), date(2026, 11, 20))
    assert roles == {
        "wei_zhang": {"linkstar_headquarters"},
        "carlos_mendez": {"linkstar_region_americas"},
        "siti_rahma": {"linkstar_region_sea"},
        "grace_lim": {"linkstar_executive"},
    }


def test_an_ended_or_moved_lead_keeps_only_the_region_of_today(tmp_path):
    config = example_copy(tmp_path)
    moved = f"{LEAD[:-1]}, to: 2026-10-31}}, {{team: uk, role: regional_lead, from: 2026-11-01}}"
    edit(config, "organisation.yml", f"assignments: [{LEAD}]", f"assignments: [{moved}]")
    organisation = load_config(config)
    assert reader_roles(organisation, date(2026, 10, 31))["carlos_mendez"] == {
        "linkstar_region_americas"
    }
    assert reader_roles(organisation, date(2026, 11, 1))["carlos_mendez"] == {
        "linkstar_region_europe"
    }


def test_a_drivers_row_belongs_to_the_region_of_its_scope_and_the_whole_seller_to_none():
    import duckdb

    from linkstar_pipeline.lib.bi_access import mart_access

    connection = duckdb.connect()
    connection.execute("create table region_keys (key_kind varchar, key_value varchar)")
    connection.execute(
        "insert into region_keys values ('region', 'sea'), ('market', 'ID'), ('shop', 's-id')"
    )
    connection.execute(
        "create table drivers as select * from (values ('shop', 's-id', 'ID'),"
        " ('shop', 's-us', 'US'), ('market', 'ID', 'sea'), ('market', 'US', 'americas'),"
        " ('region', 'sea', 'ALL'), ('seller', 'ALL', null)) t(scope_type, scope_id, parent_scope_id)"
    )
    access = mart_access("kpi_drivers_daily", ["scope_type", "scope_id", "parent_scope_id"])
    rows = connection.execute(
        f"select scope_type, scope_id from drivers where {access.region_filter} order by all"
    ).fetchall()
    assert rows == [("market", "ID"), ("region", "sea"), ("shop", "s-id")]
    assert not access.executives
