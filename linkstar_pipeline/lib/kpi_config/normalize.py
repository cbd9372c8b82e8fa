"""The validated configuration as the raw tables of design §2, and its content hash.

Rows carry only the table's own columns here; `landing.py` adds `config_version`,
`config_sha256` and `loaded_at`. The hash covers every table except `versions` (which
describes the landing, not the content), so the same files always hash the same.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal

from linkstar_pipeline.lib.kpi_config.model import KpiConfig, Subject, Team

TABLES = (
    "versions",
    "settings",
    "maturity_tiers",
    "regions",
    "markets",
    "teams",
    "team_shops",
    "people",
    "assignments",
    "identities",
    "kpi_sets",
    "targets",
    "transitions",
    "promotions",
    "overrides",
    "incentive_tiers",
)
CONTENT_TABLES = TABLES[1:]
Rows = list[dict[str, object]]


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def market_regions(config: KpiConfig) -> dict[str, str]:
    return {market: region.region_id for region in config.regions for market in region.markets}


def team_tier(config: KpiConfig, team: Team) -> str | None:
    """The explicit tier, else the one tier all its shops' markets share; None if mixed or
    unknown (rules.py reports that)."""
    if team.maturity_tier:
        return team.maturity_tier
    tiers = {market.market: market.maturity_tier for market in config.markets}
    found = {tiers.get(shop.market or "") for shop in team.shops}
    return found.pop() if len(found) == 1 and None not in found else None


def _subject_row(subject: Subject | None) -> dict[str, object]:
    return {
        "subject_kind": subject.kind if subject else None,
        "subject": subject.name if subject else None,
    }


def content_tables(config: KpiConfig, kpi_directions: dict[str, str]) -> dict[str, Rows]:
    """Every §2 table but `versions`, as lists of plain JSON-able row dicts."""
    regions_of = market_regions(config)
    tiers = {tier.tier: tier.target_factor for tier in config.maturity_tiers}
    return {
        "settings": [
            {
                "baseline_weeks": config.settings.baseline_weeks,
                "scorecard_close_days": config.settings.scorecard_close_days,
                "scoring_start": _day(config.settings.scoring_start),
                "incentive_currency": config.incentive_currency,
            }
        ],
        "maturity_tiers": [{"tier": t, "target_factor": _dec(f)} for t, f in tiers.items()],
        "regions": [{"region_id": r.region_id, "region_name": r.name} for r in config.regions],
        "markets": [
            {
                "market": m.market,
                "region_id": regions_of.get(m.market),
                "maturity_tier": m.maturity_tier,
            }
            for m in config.markets
        ],
        "teams": [
            {
                "team_id": t.team_id,
                "team_name": t.name,
                "region_id": t.region,
                "maturity_tier": team_tier(config, t),
                "started_on": _day(t.started_on),
                "ended_on": _day(t.ended_on),
            }
            for t in config.teams
        ],
        "team_shops": [
            {"team_id": t.team_id, "shop_id": s.shop_id, "shop_name": s.name}
            for t in config.teams
            for s in t.shops
        ],
        "people": [{"person_id": p.person_id, "person_name": p.name} for p in config.people],
        "assignments": [
            {
                "person_id": p.person_id,
                "team_id": a.team,
                "role": a.role,
                "valid_from": _day(a.valid_from),
                "valid_to": _day(a.valid_to),
            }
            for p in config.people
            for a in p.assignments
        ],
        "identities": [
            {
                "person_id": p.person_id,
                "identity_kind": i.kind,
                "shop_id": i.shop_id,
                "identity_key": i.key,
            }
            for p in config.people
            for i in p.identities
        ],
        "kpi_sets": [
            {
                "set_id": s.set_id,
                **_subject_row(s.subject),
                "valid_from": _day(s.valid_from),
                "valid_to": _day(s.valid_to),
                "kpi": k.kpi,
                "weight": k.weight,
                "direction": kpi_directions.get(k.kpi, k.direction),
                "cap_pct": _dec(k.cap_pct),
                "floor_pct": _dec(k.floor_pct),
                "scope": k.scope,
            }
            for s in config.kpi_sets
            for k in s.kpis
        ],
        "targets": [
            {
                "target_id": t.target_id,
                "scope": t.scope,
                "scope_id": t.scope_id,
                "kpi": t.kpi,
                "month_from": _day(t.month_from),
                "month_to": _day(t.month_to),
                "target_value": _dec(t.value),
                "currency": t.currency,
            }
            for t in config.targets
        ],
        "transitions": [
            {
                "scope": t.scope,
                "scope_id": t.scope_id,
                "start_month": _day(t.start_month),
                "month_index": index,
                "factor": _dec(factor),
            }
            for t in config.transitions
            for index, factor in enumerate(t.ramp)
        ],
        "promotions": [
            {
                "promotion_id": p.promotion_id,
                "promotion_name": p.name,
                "date_from": _day(p.date_from),
                "date_to": _day(p.date_to),
                "market": market,
                "day_weight": _dec(p.day_weight),
            }
            for p in config.promotions
            for market in (p.markets or (None,))
        ],
        "overrides": [row for o in config.overrides for row in _override_rows(o)],
        "incentive_tiers": [
            {
                "role": t.role,
                "min_score": _dec(t.min_score),
                "bonus_amount": _dec(t.bonus),
                "currency": config.incentive_currency,
            }
            for t in config.incentive_tiers
        ],
    }


def _override_rows(override) -> Rows:
    common = {
        "override_id": override.override_id,
        "kind": override.kind,
        "date_from": _day(override.date_from),
        "date_to": _day(override.date_to),
        **_subject_row(override.subject),
        "scope": override.scope,
        "scope_id": override.scope_id,
        "reason": override.reason,
        "approved_by": override.approved_by,
    }
    if override.kind == "weight":
        return [
            {**common, "kpi": kpi, "weight": weight, "target_factor": None}
            for kpi, weight in override.weights
        ]
    return [
        {
            **common,
            "kpi": override.kpi,
            "weight": None,
            "target_factor": _dec(override.target_factor),
        }
    ]


def content_sha256(tables: dict[str, Rows]) -> str:
    """sha256 of the canonical JSON (sorted keys, fixed separators) of the content tables."""
    content = {name: tables[name] for name in CONTENT_TABLES}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
