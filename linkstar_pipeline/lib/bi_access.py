"""Who reads which mart rows in BI, decided once for PostgreSQL and the per-region folders.

Read from kpi_config/organisation.yml on every publish, so the file is the one place access is
changed: a current `headquarters` assignment reads every mart; a current `regional_lead`
assignment reads the rows of its team's region; an `executives:` entry reads the market and
company roll-ups and the scorecards. Everyone else in the file has no BI access.

A row belongs to a region when at least one of its region keys (shop, market, region, team,
person, or a scope / subject id named by the row's own kind column) is set and every key that
is set is one of the region's. The rule is one SQL predicate over a table of the region's keys
(`key_kind`, `key_value`): PostgreSQL's row-level security evaluates it against the reader's
keys, the region folders against each region's, so both can never disagree. Rows with no key
(company totals) and marts with no key column (kpi_seller_daily) are for headquarters alone,
unless the mart is listed below as shared reference data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from linkstar_pipeline.lib.kpi_config.model import KpiConfig
from linkstar_pipeline.lib.sql_text import quote_identifier, quote_literal

HEADQUARTERS_ROLE = "linkstar_headquarters"
EXECUTIVE_ROLE = "linkstar_executive"
REGIONAL_LEAD_ROLE = "linkstar_regional_lead"
REGION_ROLE_PREFIX = "linkstar_region_"

# A column holding a key of one kind (the configuration's scope names).
KEY_COLUMNS = {
    "shop_id": "shop",
    "market": "market",
    "region_id": "region",
    "team_id": "team",
    "person_id": "person",
}
# A key whose kind is in the row itself: (kind column, key column).
KIND_COLUMNS = (
    ("scope", "scope_id"),
    ("subject_kind", "subject_id"),
    ("scope_type", "scope_id"),  # kpi_drivers_(items_)*: shop, market, region; seller: whole
)
# The roll-ups and scorecards an executive reads (whole: they hold no shop rows).
EXECUTIVE_MARTS = frozenset({"kpi_market_daily", "kpi_seller_daily", "kpi_scorecards"})
# No region in them and nothing a region must not see: every reader reads them whole.
SHARED_MARTS = frozenset({"dim_dates", "fct_fx_rates_daily"})


def region_role(region_id: str) -> str:
    return f"{REGION_ROLE_PREFIX}{region_id}"


def region_predicate(columns: Iterable[str], keys_table: str) -> str | None:
    """The SQL condition a row meets when it belongs to the region whose keys are in
    `keys_table`; None for a mart without a region key column. Portable (DuckDB, PostgreSQL)."""
    present = set(columns)
    keys = [
        (quote_identifier(c), quote_literal(kind))
        for c, kind in KEY_COLUMNS.items()
        if c in present
    ]
    keys += [
        (quote_identifier(i), quote_identifier(k))
        for k, i in KIND_COLUMNS
        if k in present and i in present
    ]
    if not keys:
        return None
    some_key = " or ".join(f"{key} is not null" for key, _ in keys)
    each_key = " and ".join(
        f"({key} is null or cast({key} as varchar) in (select key_value from {keys_table} "
        f"where key_kind = {kind}))"
        for key, kind in keys
    )
    return f"({some_key}) and {each_key}"


@dataclass(frozen=True)
class MartAccess:
    """Which reader groups read a mart, and the region condition its rows are filtered by."""

    mart: str
    region_filter: str | None  # over table `region_keys`; None: the mart has no region key
    executives: bool
    shared: bool

    @property
    def regional_leads(self) -> bool:
        return self.shared or self.region_filter is not None


def mart_access(mart: str, columns: Iterable[str], keys_table: str = "region_keys") -> MartAccess:
    return MartAccess(
        mart=mart,
        region_filter=None if mart in SHARED_MARTS else region_predicate(columns, keys_table),
        executives=mart in EXECUTIVE_MARTS or mart in SHARED_MARTS,
        shared=mart in SHARED_MARTS,
    )


def region_keys(config: KpiConfig) -> dict[str, set[tuple[str, str]]]:
    """{region id: {(key kind, key)}}: the region, its markets, its teams (past ones too, so
    their history stays in the region), their shops and everyone ever assigned to them."""
    team_region = {team.team_id: team.region for team in config.teams}
    keys: dict[str, set[tuple[str, str]]] = {r.region_id: set() for r in config.regions}
    for region in config.regions:
        keys[region.region_id].add(("region", region.region_id))
        keys[region.region_id].update(("market", market) for market in region.markets)
    for team in config.teams:
        in_region = keys.setdefault(team.region, set())
        in_region.add(("team", team.team_id))
        in_region.update(("shop", shop.shop_id) for shop in team.shops)
    for person in config.people:
        for assignment in person.assignments:
            region = team_region.get(assignment.team)
            if region is not None:
                keys.setdefault(region, set()).add(("person", person.person_id))
    return keys


def reader_roles(config: KpiConfig, day: date) -> dict[str, set[str]]:
    """{person id: the group roles they are granted} for everyone with BI access on `day`."""
    team_region = {team.team_id: team.region for team in config.teams}
    granted: dict[str, set[str]] = {}
    for person in config.people:
        for a in person.assignments:
            if a.valid_from > day or (a.valid_to is not None and a.valid_to < day):
                continue
            if a.role == "headquarters":
                granted.setdefault(person.person_id, set()).add(HEADQUARTERS_ROLE)
            elif a.role == "regional_lead" and a.team in team_region:
                granted.setdefault(person.person_id, set()).add(region_role(team_region[a.team]))
    for executive in config.executives:
        granted.setdefault(executive.person_id, set()).add(EXECUTIVE_ROLE)
    return granted
