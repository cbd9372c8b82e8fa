"""Read the configuration directory into `model.KpiConfig`, reporting every shape problem.

This module checks what one value can tell alone (present, right type, a date, a known enum);
the rules that need several records (references, overlaps, sums) live in `rules.py`. Problems
are collected, never raised one by one: `load_config` raises one `KpiConfigError` at the end.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from linkstar_pipeline.lib.kpi_config.model import (
    FILES,
    IDENTITY_KINDS,
    OVERRIDE_KINDS,
    ROLES,
    SCOPES,
    UNIT_KINDS,
    Assignment,
    At,
    Executive,
    Identity,
    IncentiveTier,
    KpiConfig,
    KpiConfigError,
    KpiSet,
    Market,
    MaturityTier,
    Override,
    Person,
    Promotion,
    Region,
    SetKpi,
    Settings,
    Subject,
    Target,
    Team,
    TeamShop,
    Transition,
)
from linkstar_pipeline.lib.kpi_config.yaml_lines import (
    LineList,
    LineMap,
    duplicate_keys,
    load_yaml_with_lines,
)

MISSING = object()


class Node:
    """A mapping in a file plus its key path; typed getters record problems and return None."""

    def __init__(self, file: str, data: LineMap, key: str, problems: list[str]):
        self.file, self.data, self.key, self.problems = file, data, key, problems

    def at(self, name: str | None = None) -> At:
        if name is None:
            return At(self.file, self.data.line, self.key)
        return At(self.file, self.data.line_of(name), f"{self.key}.{name}" if self.key else name)

    def problem(self, name: str | None, rule: str) -> None:
        self.problems.append(f"{self.at(name)}: {rule}")

    def raw(self, name: str, required: bool = True) -> Any:
        value = self.data.get(name, MISSING)
        if value is MISSING or value is None:
            if required:
                self.problem(None, f"`{name}` is required")
            return None
        return value

    def text(self, name: str, required: bool = True, choices: tuple[str, ...] = ()) -> str | None:
        value = self.raw(name, required)
        if value is None:
            return None
        if isinstance(value, bool | dict | list):
            self.problem(name, f"`{name}` must be a single value, got {value!r}")
            return None
        text = str(value).strip()
        if choices and text not in choices:
            self.problem(name, f"`{name}: {text}` is not one of {', '.join(choices)}")
            return None
        return text

    def integer(self, name: str, required: bool = True) -> int | None:
        value = self.raw(name, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(name, f"`{name}` must be a whole number, got {value!r}")
            return None
        return value

    def decimal(
        self, name: str, required: bool = True, default: str | None = None
    ) -> Decimal | None:
        value = self.raw(name, required and default is None)
        if value is None:
            return Decimal(default) if default is not None else None
        if isinstance(value, bool):
            self.problem(name, f"`{name}` must be a number, got {value!r}")
            return None
        try:
            return Decimal(str(value))
        except InvalidOperation:
            self.problem(name, f"`{name}` must be a number, got {value!r}")
            return None

    def day(self, name: str, required: bool = True) -> date | None:
        value = self.raw(name, required)
        if value is None:
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.problem(name, f"`{name}` must be a day YYYY-MM-DD, got {value!r}")
            return None

    def month(self, name: str, required: bool = True) -> date | None:
        value = self.raw(name, required)
        if value is None:
            return None
        text = value.isoformat() if isinstance(value, date) else str(value)
        try:
            parsed = date.fromisoformat(text if len(text) > 7 else f"{text}-01")
        except ValueError:
            parsed = None
        if parsed is None or parsed.day != 1:
            self.problem(name, f"`{name}` must be a month YYYY-MM, got {value!r}")
            return None
        return parsed

    def items(self, name: str, required: bool = True) -> list[Node]:
        """The mappings of the list under `name` (a non-mapping item is a problem)."""
        value = self.raw(name, required)
        if value is None:
            return []
        if not isinstance(value, LineList):
            self.problem(name, f"`{name}` must be a list")
            return []
        return _list_nodes(self.file, value, f"{self.key}.{name}" if self.key else name, self)

    def texts(self, name: str, required: bool = True) -> tuple[str, ...] | None:
        value = self.raw(name, required)
        if value is None:
            return None
        if not isinstance(value, list) or not value:
            self.problem(name, f"`{name}` must be a non-empty list")
            return None
        return tuple(str(item).strip() for item in value)

    def mapping(self, name: str, required: bool = True) -> Node | None:
        value = self.raw(name, required)
        if value is None:
            return None
        if not isinstance(value, LineMap):
            self.problem(name, f"`{name}` must be a mapping")
            return None
        return Node(self.file, value, f"{self.key}.{name}" if self.key else name, self.problems)

    def unknown_keys(self, allowed: tuple[str, ...]) -> None:
        for name in self.data:
            if name not in allowed:
                self.problem(name, f"unknown key `{name}`; allowed: {', '.join(allowed)}")


def _list_nodes(file: str, items: LineList, key: str, parent: Node) -> list[Node]:
    nodes = []
    for index, item in enumerate(items):
        label = f"{key}[{index}]"
        if not isinstance(item, LineMap):
            parent.problems.append(
                f"{file}:{items.line_of(index)} ({label}): each item must be a mapping"
            )
            continue
        nodes.append(Node(file, item, label, parent.problems))
    return nodes


def load_config(config_dir: Path) -> KpiConfig:
    """Parse every file; raises KpiConfigError listing every shape problem at once."""
    config, problems = read_config(config_dir)
    if config is None or problems:
        raise KpiConfigError(problems)
    return config


def read_config(config_dir: Path) -> tuple[KpiConfig | None, list[str]]:
    """The configuration (None when a file is missing or not YAML) and its shape problems.

    With problems, the broken values are placeholders, so the cross-reference rules can
    still run and report everything else in the same round."""
    problems: list[str] = []
    roots = {name: _root(config_dir, name, problems) for name in FILES}
    if problems:
        return None, problems
    return _build(config_dir, roots, problems), problems


def _root(config_dir: Path, name: str, problems: list[str]) -> Node | None:
    path = config_dir / name
    if not path.is_file():
        problems.append(f"{name}:1 (file): missing from {config_dir}; every config has {FILES}")
        return None
    try:
        document = load_yaml_with_lines(path)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problems.append(f"{name}:{line} (file): not valid YAML: {error}")
        return None
    if not isinstance(document, LineMap):
        problems.append(f"{name}:1 (file): must be a mapping of top-level keys")
        return None
    for duplicate in duplicate_keys(document):
        problems.append(
            f"{name}:{duplicate.line} ({duplicate.path}): duplicate key, first written on line "
            f"{duplicate.first_line}; YAML would keep only the last one, so merge the two or "
            "rename one"
        )
    return Node(name, document, "", problems)


def _build(config_dir: Path, roots: dict[str, Node], problems: list[str]) -> KpiConfig:
    org, sets, targets, incentives = (roots[name] for name in FILES)
    org.unknown_keys(
        ("settings", "maturity_tiers", "regions", "markets", "teams", "people", "executives")
    )
    sets.unknown_keys(("kpi_sets",))
    targets.unknown_keys(("targets", "transitions", "promotions", "overrides"))
    incentives.unknown_keys(("currency", "tiers"))
    return KpiConfig(
        source_dir=config_dir,
        files={name: (config_dir / name).read_bytes() for name in FILES},
        settings=_settings(org),
        maturity_tiers=tuple(_tier(n) for n in org.items("maturity_tiers")),
        regions=tuple(_region(n) for n in org.items("regions")),
        markets=tuple(_market(n) for n in org.items("markets")),
        teams=tuple(_team(n) for n in org.items("teams")),
        people=tuple(_person(n) for n in org.items("people")),
        kpi_sets=tuple(_kpi_set(n) for n in sets.items("kpi_sets")),
        targets=tuple(_target(n) for n in targets.items("targets")),
        transitions=tuple(_transition(n) for n in targets.items("transitions", required=False)),
        promotions=tuple(_promotion(n) for n in targets.items("promotions", required=False)),
        overrides=tuple(_override(n) for n in targets.items("overrides", required=False)),
        incentive_currency=incentives.text("currency") or "",
        incentive_tiers=_incentive_tiers(incentives),
        executives=tuple(_executive(n) for n in org.items("executives", required=False)),
    )


def _settings(org: Node) -> Settings:
    node = org.mapping("settings")
    if node is None:
        return Settings(4, 5, date(1970, 1, 1), org.at("settings"))
    node.unknown_keys(("baseline_weeks", "scorecard_close_days", "scoring_start"))
    return Settings(
        baseline_weeks=node.integer("baseline_weeks") or 0,
        scorecard_close_days=node.integer("scorecard_close_days") or 0,
        scoring_start=node.day("scoring_start") or date(1970, 1, 1),
        at=node.at(),
    )


def _tier(node: Node) -> MaturityTier:
    node.unknown_keys(("tier", "target_factor"))
    factor = node.decimal("target_factor")
    if factor is not None and not Decimal(0) < factor <= Decimal(1):
        node.problem("target_factor", f"target_factor {factor} must be in (0, 1]")
    return MaturityTier(node.text("tier") or "", factor or Decimal(0), node.at())


def _region(node: Node) -> Region:
    node.unknown_keys(("id", "name", "markets"))
    return Region(
        node.text("id") or "", node.text("name") or "", node.texts("markets") or (), node.at()
    )


def _market(node: Node) -> Market:
    node.unknown_keys(("market", "maturity_tier"))
    return Market(node.text("market") or "", node.text("maturity_tier") or "", node.at())


def _team(node: Node) -> Team:
    node.unknown_keys(("id", "name", "region", "maturity_tier", "started_on", "ended_on", "shops"))
    shops = []
    for shop in node.items("shops"):
        shop.unknown_keys(("shop_id", "name", "market"))
        shops.append(
            TeamShop(
                shop.text("shop_id") or "",
                shop.text("name") or "",
                shop.text("market", required=False),
                shop.at(),
            )
        )
    return Team(
        team_id=node.text("id") or "",
        name=node.text("name") or "",
        region=node.text("region") or "",
        maturity_tier=node.text("maturity_tier", required=False),
        started_on=node.day("started_on") or date(1970, 1, 1),
        ended_on=node.day("ended_on", required=False),
        shops=tuple(shops),
        at=node.at(),
    )


def _person(node: Node) -> Person:
    node.unknown_keys(("id", "name", "assignments", "identities"))
    assignments = []
    for item in node.items("assignments"):
        item.unknown_keys(("team", "role", "from", "to"))
        assignments.append(
            Assignment(
                item.text("team") or "",
                item.text("role", choices=ROLES) or "",
                item.day("from") or date(1970, 1, 1),
                item.day("to", required=False),
                item.at(),
            )
        )
    identities = []
    for item in node.items("identities", required=False):
        item.unknown_keys(("kind", "key", "shop_id"))
        kind = item.text("kind", choices=IDENTITY_KINDS) or ""
        shop_id = item.text("shop_id", required=kind == "live_host")
        identities.append(Identity(kind, item.text("key") or "", shop_id, item.at()))
    return Person(
        node.text("id") or "",
        node.text("name") or "",
        tuple(assignments),
        tuple(identities),
        node.at(),
    )


def _executive(node: Node) -> Executive:
    node.unknown_keys(("id", "name"))
    return Executive(node.text("id") or "", node.text("name") or "", node.at())


def _subject(node: Node, name: str = "applies_to") -> Subject | None:
    applies = node.mapping(name)
    if applies is None:
        return None
    keys = list(applies.data)
    if len(keys) != 1 or keys[0] not in ("role", "unit"):
        applies.problem(None, "must be exactly one of {role: <role>} or {unit: <kind>}")
        return None
    if keys[0] == "role":
        return Subject("role", applies.text("role", choices=ROLES) or "")
    unit = applies.text("unit") or ""
    kind, _, unit_id = unit.partition(":")
    if kind not in UNIT_KINDS:
        applies.problem("unit", f"`unit: {unit}` is not one of {', '.join(UNIT_KINDS)}")
    return Subject(kind, unit_id.strip() or "*")


def _kpi_set(node: Node) -> KpiSet:
    node.unknown_keys(("id", "applies_to", "valid_from", "valid_to", "kpis"))
    kpis = []
    for item in node.items("kpis"):
        item.unknown_keys(("kpi", "weight", "cap_pct", "floor_pct", "scope", "direction"))
        kpis.append(
            SetKpi(
                kpi=item.text("kpi") or "",
                weight=item.integer("weight") or 0,
                cap_pct=item.decimal("cap_pct", default="120"),
                floor_pct=item.decimal("floor_pct", default="0"),
                scope=item.text("scope", choices=SCOPES) or "",
                direction=item.text("direction", required=False),
                at=item.at(),
            )
        )
    return KpiSet(
        set_id=node.text("id") or "",
        subject=_subject(node) or Subject("", ""),
        valid_from=node.day("valid_from") or date(1970, 1, 1),
        valid_to=node.day("valid_to", required=False),
        kpis=tuple(kpis),
        at=node.at(),
    )


def _target(node: Node) -> Target:
    node.unknown_keys(("id", "scope", "scope_id", "kpi", "from", "to", "value", "currency"))
    scope = node.text("scope", choices=SCOPES) or ""
    scope_id = node.text("scope_id", required=scope != "company") or "ALL"
    value = node.decimal("value")
    if value is not None and value <= 0:
        node.problem("value", f"value {value} must be greater than 0")
    return Target(
        target_id=node.text("id") or "",
        scope=scope,
        scope_id=scope_id,
        kpi=node.text("kpi") or "",
        month_from=node.month("from") or date(1970, 1, 1),
        month_to=node.month("to", required=False),
        value=value or Decimal(0),
        currency=node.text("currency", required=False),
        at=node.at(),
    )


def _transition(node: Node) -> Transition:
    node.unknown_keys(("scope", "scope_id", "start", "ramp"))
    ramp = []
    for index, factor in enumerate(node.raw("ramp") or []):
        try:
            value = Decimal(str(factor))
        except InvalidOperation:
            value = Decimal(-1)
        if not Decimal(0) < value <= Decimal(1):
            node.problem("ramp", f"ramp[{index}] = {factor!r}: every factor must be in (0, 1]")
        ramp.append(value)
    if not ramp:
        node.problem("ramp", "ramp must list at least one factor in (0, 1]")
    return Transition(
        scope=node.text("scope", choices=("market", "team")) or "",
        scope_id=node.text("scope_id") or "",
        start_month=node.month("start") or date(1970, 1, 1),
        ramp=tuple(ramp),
        at=node.at(),
    )


def _promotion(node: Node) -> Promotion:
    node.unknown_keys(("id", "name", "from", "to", "markets", "day_weight"))
    weight = node.decimal("day_weight")
    if weight is not None and weight <= 0:
        node.problem("day_weight", f"day_weight {weight} must be greater than 0")
    return Promotion(
        promotion_id=node.text("id") or "",
        name=node.text("name") or "",
        date_from=node.day("from") or date(1970, 1, 1),
        date_to=node.day("to") or date(1970, 1, 1),
        markets=node.texts("markets", required=False),
        day_weight=weight or Decimal(1),
        at=node.at(),
    )


def _override(node: Node) -> Override:
    node.unknown_keys(
        (
            "id", "kind", "from", "to", "applies_to", "scope", "scope_id", "kpi", "weights",
            "target_factor", "reason", "approved_by",
        )
    )  # fmt: skip
    kind = node.text("kind", choices=OVERRIDE_KINDS) or ""
    weights: list[tuple[str, int]] = []
    if kind == "weight":
        table = node.mapping("weights")
        for kpi in table.data if table else ():
            weight = table.integer(kpi)
            weights.append((str(kpi), weight if weight is not None else 0))
    factor = node.decimal("target_factor", required=kind == "target")
    if factor is not None and factor <= 0:
        node.problem("target_factor", f"target_factor {factor} must be greater than 0")
    return Override(
        override_id=node.text("id") or "",
        kind=kind,
        date_from=node.day("from") or date(1970, 1, 1),
        date_to=node.day("to") or date(1970, 1, 1),
        subject=_subject(node) if kind == "weight" else None,
        scope=node.text("scope", required=kind == "target", choices=SCOPES),
        scope_id=node.text("scope_id", required=False),
        kpi=node.text("kpi", required=kind == "target"),
        weights=tuple(weights),
        target_factor=factor,
        reason=_required_words(node, "reason"),
        approved_by=_required_words(node, "approved_by"),
        at=node.at(),
    )


def _required_words(node: Node, name: str) -> str:
    text = node.text(name, required=False)
    if not text:
        node.problem(
            None,
            f"`{name}` is required: every override must say why (reason) and who approved it "
            "(approved_by)",
        )
    return text or ""


def _incentive_tiers(incentives: Node) -> tuple[IncentiveTier, ...]:
    tiers = incentives.mapping("tiers")
    if tiers is None:
        return ()
    out = []
    for role in tiers.data:
        if role not in ROLES:
            tiers.problem(role, f"role `{role}` is not one of {', '.join(ROLES)}")
        for item in tiers.items(role):
            item.unknown_keys(("min_score", "bonus"))
            min_score, bonus = item.decimal("min_score"), item.decimal("bonus")
            out.append(
                IncentiveTier(str(role), min_score or Decimal(0), bonus or Decimal(0), item.at())
            )
    return tuple(out)
