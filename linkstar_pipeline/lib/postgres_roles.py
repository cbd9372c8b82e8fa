"""The organisation's BI roles in PostgreSQL, brought in step with organisation.yml.

NOLOGIN groups (`linkstar_headquarters`, `linkstar_executive`, `linkstar_regional_lead` and one
`linkstar_region_<id>` per region, member of `linkstar_regional_lead`), a LOGIN role per
person holding only their group, and every membership the file no longer gives revoked. The
person roles get no password: that is the DBA's. `access.region_keys` holds each region's keys
for the row-level security predicate; its own policy shows a region role only its keys.
Called inside the publish's transaction (lib/postgres_serving).
"""

from __future__ import annotations

from datetime import date

import psycopg
from psycopg import sql

from linkstar_pipeline.lib.bi_access import (
    EXECUTIVE_ROLE,
    HEADQUARTERS_ROLE,
    REGION_ROLE_PREFIX,
    REGIONAL_LEAD_ROLE,
    reader_roles,
    region_keys,
    region_role,
)
from linkstar_pipeline.lib.kpi_config.model import KpiConfig

KEYS_TABLE = "access.region_keys"


def _ident(*names: str) -> sql.Identifier:
    return sql.Identifier(*names)


def _ensure_role(pg: psycopg.Connection, role: str, login: bool) -> None:
    if pg.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone() is None:
        kind = sql.SQL("login") if login else sql.SQL("nologin")
        pg.execute(sql.SQL("create role {} {}").format(_ident(role), kind))


def _members(pg: psycopg.Connection, group: str) -> set[str]:
    rows = pg.execute(
        "select m.rolname from pg_auth_members a join pg_roles g on g.oid = a.roleid "
        "join pg_roles m on m.oid = a.member where g.rolname = %s",
        [group],
    ).fetchall()
    return {name for (name,) in rows}


def _sync_membership(pg: psycopg.Connection, group: str, wanted: set[str]) -> list[str]:
    """Grant `group` to `wanted`, revoke it from every other member; the revocations."""
    current = _members(pg, group)
    for member in sorted(wanted - current):
        pg.execute(sql.SQL("grant {} to {}").format(_ident(group), _ident(member)))
    revoked = sorted(current - wanted)
    for member in revoked:
        pg.execute(sql.SQL("revoke {} from {}").format(_ident(group), _ident(member)))
    return [f"{member} from {group}" for member in revoked]


def sync_roles(pg: psycopg.Connection, config: KpiConfig, day: date) -> tuple[dict, list[str]]:
    """Group roles, person roles and memberships as the organisation file says on `day`."""
    regions = [region_role(region) for region in sorted(region_keys(config))]
    for group in (HEADQUARTERS_ROLE, EXECUTIVE_ROLE, REGIONAL_LEAD_ROLE, *regions):
        _ensure_role(pg, group, login=False)
    readers = reader_roles(config, day)
    for person in readers:
        _ensure_role(pg, person, login=True)
    revoked = _sync_membership(pg, REGIONAL_LEAD_ROLE, set(regions))
    stale_regions = pg.execute(
        "select rolname from pg_roles where starts_with(rolname, %s)", [REGION_ROLE_PREFIX]
    ).fetchall()
    groups = {HEADQUARTERS_ROLE, EXECUTIVE_ROLE, *regions, *(name for (name,) in stale_regions)}
    for group in sorted(groups):
        wanted = {person for person, granted in readers.items() if group in granted}
        revoked += _sync_membership(pg, group, wanted)
    return {person: sorted(granted) for person, granted in readers.items()}, revoked


def write_region_keys(pg: psycopg.Connection, config: KpiConfig) -> None:
    if pg.execute("select to_regclass(%s)", [KEYS_TABLE]).fetchone()[0] is None:
        pg.execute(
            f"create table {KEYS_TABLE} (region_role text not null, key_kind text not null, "
            "key_value text not null)"
        )
        pg.execute(f"alter table {KEYS_TABLE} enable row level security")
        pg.execute(
            sql.SQL(
                "create policy own_region on {} for select to {} "
                "using (pg_has_role(region_role, 'MEMBER'))"
            ).format(_ident(*KEYS_TABLE.split(".")), _ident(REGIONAL_LEAD_ROLE))
        )
        pg.execute(
            sql.SQL("grant select on {} to {}").format(
                _ident(*KEYS_TABLE.split(".")), _ident(REGIONAL_LEAD_ROLE)
            )
        )
    pg.execute(f"delete from {KEYS_TABLE}")
    with pg.cursor().copy(f"copy {KEYS_TABLE} (region_role, key_kind, key_value) from stdin") as c:
        for region, keys in sorted(region_keys(config).items()):
            for kind, key in sorted(keys):
                c.write_row((region_role(region), kind, key))
