"""The KPI-management configuration as typed, immutable records (design §1).

Every record keeps `at`, where it was written, so a rule broken by a record can name the file,
the line and the key path. Dates are `datetime.date`; months are the month's first day;
amounts and factors are `Decimal` (never floats: targets in IDR/VND are large).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from linkstar_pipeline.lib.kpi_dictionary import ALLOWED_VALUES

# The roles KPIs are owned by: the dictionary's `owner_role` values, defined once there.
ROLES = ALLOWED_VALUES["owner_role"]
UNIT_KINDS = ("team", "shop", "market", "region")
SCOPES = ("person", "team", "shop", "market", "region", "company")
IDENTITY_KINDS = ("live_host", "cs_agent", "ads_advertiser")
OVERRIDE_KINDS = ("weight", "target")
FILES = ("organisation.yml", "kpi_sets.yml", "targets.yml", "incentives.yml")


@dataclass(frozen=True)
class At:
    """Where something was written: `file:line (key.path)`."""

    file: str
    line: int
    key: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line} ({self.key})"


@dataclass(frozen=True)
class Settings:
    baseline_weeks: int
    scorecard_close_days: int
    scoring_start: date
    at: At


@dataclass(frozen=True)
class MaturityTier:
    tier: str
    target_factor: Decimal
    at: At


@dataclass(frozen=True)
class Region:
    region_id: str
    name: str
    markets: tuple[str, ...]
    at: At


@dataclass(frozen=True)
class Market:
    market: str
    maturity_tier: str
    at: At


@dataclass(frozen=True)
class TeamShop:
    shop_id: str
    name: str
    market: str | None  # optional in the file; resolves the team's tier without landed shops
    at: At


@dataclass(frozen=True)
class Team:
    team_id: str
    name: str
    region: str
    maturity_tier: str | None
    started_on: date
    ended_on: date | None
    shops: tuple[TeamShop, ...]
    at: At


@dataclass(frozen=True)
class Assignment:
    team: str
    role: str
    valid_from: date
    valid_to: date | None  # inclusive
    at: At


@dataclass(frozen=True)
class Identity:
    kind: str
    key: str
    shop_id: str | None
    at: At


@dataclass(frozen=True)
class Person:
    person_id: str
    name: str
    assignments: tuple[Assignment, ...]
    identities: tuple[Identity, ...]
    at: At


@dataclass(frozen=True)
class Executive:
    """Reads the market and company roll-ups and the scorecards in BI; not scored itself."""

    person_id: str
    name: str
    at: At


@dataclass(frozen=True)
class Subject:
    """Who a KPI set or weight override applies to: a role, or a kind of unit (`*` = all)."""

    kind: str  # "role" or one of UNIT_KINDS
    name: str  # the role, or a unit id, or "*"


@dataclass(frozen=True)
class SetKpi:
    kpi: str
    weight: int
    cap_pct: Decimal
    floor_pct: Decimal
    scope: str
    direction: str | None  # as written; the dictionary's direction is authoritative
    at: At


@dataclass(frozen=True)
class KpiSet:
    set_id: str
    subject: Subject
    valid_from: date
    valid_to: date | None
    kpis: tuple[SetKpi, ...]
    at: At


@dataclass(frozen=True)
class Target:
    target_id: str
    scope: str
    scope_id: str  # "ALL" for company
    kpi: str
    month_from: date
    month_to: date | None
    value: Decimal
    currency: str | None
    at: At


@dataclass(frozen=True)
class Transition:
    scope: str
    scope_id: str
    start_month: date
    ramp: tuple[Decimal, ...]
    at: At


@dataclass(frozen=True)
class Promotion:
    promotion_id: str
    name: str
    date_from: date
    date_to: date
    markets: tuple[str, ...] | None  # None = every market
    day_weight: Decimal
    at: At


@dataclass(frozen=True)
class Override:
    override_id: str
    kind: str
    date_from: date
    date_to: date
    subject: Subject | None  # weight overrides
    scope: str | None  # target overrides
    scope_id: str | None
    kpi: str | None
    weights: tuple[tuple[str, int], ...]  # weight overrides: (kpi, weight) as written
    target_factor: Decimal | None
    reason: str
    approved_by: str
    at: At


@dataclass(frozen=True)
class IncentiveTier:
    role: str
    min_score: Decimal
    bonus: Decimal
    at: At


@dataclass(frozen=True)
class KpiConfig:
    source_dir: Path
    files: dict[str, bytes] = field(repr=False)  # verbatim YAML, landed beside the tables
    settings: Settings
    maturity_tiers: tuple[MaturityTier, ...]
    regions: tuple[Region, ...]
    markets: tuple[Market, ...]
    teams: tuple[Team, ...]
    people: tuple[Person, ...]
    kpi_sets: tuple[KpiSet, ...]
    targets: tuple[Target, ...]
    transitions: tuple[Transition, ...]
    promotions: tuple[Promotion, ...]
    overrides: tuple[Override, ...]
    incentive_currency: str
    incentive_tiers: tuple[IncentiveTier, ...]
    executives: tuple[Executive, ...] = ()


class KpiConfigError(ValueError):
    """The configuration breaks one or more rules; `problems` lists every breach, each
    `file:line (key.path): rule broken`, so one edit-and-check round fixes them all."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(
            f"KPI configuration: {len(problems)} problem(s); nothing was loaded. Fix the files "
            f"named below and run `linkstar kpi-config check`:\n{listing}"
        )
