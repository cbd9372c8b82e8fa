"""Cross-reference rules of design §1: every problem collected, then raised together.

`check_config` is the one entry point: it returns nothing when the configuration may be landed,
else raises `KpiConfigError` whose `problems` each name `file:line (key.path): rule broken`.
The stability rule compares with the newest LANDED version's `kpi_sets` rows (passed in), so
a quarter that has started keeps the weights it started with.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from itertools import pairwise

from linkstar_pipeline.lib.kpi_config.model import (
    At,
    KpiConfig,
    KpiConfigError,
    KpiSet,
    Subject,
)
from linkstar_pipeline.lib.kpi_config.normalize import Rows, team_tier
from linkstar_pipeline.lib.kpi_config.references import References

FOREVER = date(9999, 12, 31)
# Columns of a kpi_sets row that may not change once its quarter has started (valid_to may
# still be set, to end the version at a quarter end that has not passed).
FROZEN_SET_COLUMNS = ("subject_kind", "subject", "kpi", "weight", "cap_pct", "floor_pct", "scope")


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def next_quarter_start(day: date) -> date:
    start = quarter_start(day)
    return date(start.year + (start.month == 10), (start.month + 2) % 12 + 1, 1)


def _overlaps(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return a_from <= (b_to or FOREVER) and b_from <= (a_to or FOREVER)


def check_config(
    config: KpiConfig, refs: References, landed_sets: Rows | None = None, landed_version: int = 0
) -> None:
    problems = config_problems(config, refs, landed_sets, landed_version)
    if problems:
        raise KpiConfigError(problems)


def config_problems(
    config: KpiConfig, refs: References, landed_sets: Rows | None = None, landed_version: int = 0
) -> list[str]:
    problems: list[str] = []
    org = _Org(config)
    problems += _org_rules(config, org, refs)
    problems += _set_rules(config, org, refs)
    problems += _target_rules(config, org, refs)
    problems += _override_rules(config, org, refs)
    if landed_sets is not None:
        problems += _stability_rules(config, refs, landed_sets, landed_version)
    return problems


class _Org:
    """The ids the configuration defines, to resolve references against."""

    def __init__(self, config: KpiConfig):
        self.tiers = {t.tier for t in config.maturity_tiers}
        self.regions = {r.region_id for r in config.regions}
        self.markets = {m.market for m in config.markets}
        self.teams = {t.team_id: t for t in config.teams}
        self.shops = {s.shop_id for t in config.teams for s in t.shops}
        self.people = {p.person_id for p in config.people}

    def ids(self, scope: str) -> set[str]:
        return {
            "person": self.people,
            "team": set(self.teams),
            "shop": self.shops,
            "market": self.markets,
            "region": self.regions,
            "company": {"ALL"},
        }.get(scope, set())


# Scope ids the marts give a meaning of their own; a region so named would merge with it.
RESERVED_REGION_IDS = {
    "ALL": "the whole seller in every roll-up",
    # dbt macro driver_region_id: the drivers marts' region of a shop in no region
    "unassigned": "the drivers marts' region of shops the configuration puts in no region",
}


def _unknown(at: At, what: str, value: str, known: Iterable[str], hint: str) -> str:
    listed = ", ".join(sorted(known)) or "none"
    return f"{at}: unknown {what} '{value}' (known: {listed}); {hint}"


def _org_rules(config: KpiConfig, org: _Org, refs: References) -> list[str]:
    problems = _duplicates(
        [(t.tier, t.at) for t in config.maturity_tiers], "maturity tier"
    ) + _duplicates([(r.region_id, r.at) for r in config.regions], "region id")
    problems += [
        f"{r.at}: region id '{r.region_id}' is reserved ({RESERVED_REGION_IDS[r.region_id]}); "
        "choose another id"
        for r in config.regions
        if r.region_id in RESERVED_REGION_IDS
    ]
    problems += _duplicates([(m.market, m.at) for m in config.markets], "market")
    problems += _duplicates([(t.team_id, t.at) for t in config.teams], "team id")
    problems += _duplicates(
        [(p.person_id, p.at) for p in config.people]
        + [(e.person_id, e.at) for e in config.executives],
        "person id",
    )
    problems += _duplicates(
        [(s.shop_id, s.at) for t in config.teams for s in t.shops], "shop (in two teams)"
    )
    for market in config.markets:
        if market.maturity_tier not in org.tiers:
            problems.append(
                _unknown(
                    market.at,
                    "maturity tier",
                    market.maturity_tier,
                    org.tiers,
                    "add it under maturity_tiers",
                )
            )
    region_markets = [(m, r.at) for r in config.regions for m in r.markets]
    problems += _duplicates(region_markets, "market (in two regions)")
    for market, at in region_markets:
        if market not in org.markets:
            problems.append(_unknown(at, "market", market, org.markets, "list it under markets"))
    for team in config.teams:
        if team.region not in org.regions:
            problems.append(
                _unknown(team.at, "region", team.region, org.regions, "use a region id")
            )
        if team.maturity_tier and team.maturity_tier not in org.tiers:
            problems.append(
                _unknown(team.at, "maturity tier", team.maturity_tier, org.tiers, "fix the tier")
            )
        if team.ended_on and team.ended_on < team.started_on:
            problems.append(f"{team.at}: ended_on {team.ended_on} is before started_on")
        for shop in team.shops:
            if shop.market and shop.market not in org.markets:
                problems.append(_unknown(shop.at, "market", shop.market, org.markets, "fix it"))
            if refs.landed_shop_ids is not None and shop.shop_id not in refs.landed_shop_ids:
                problems.append(
                    f"{shop.at}: shop '{shop.shop_id}' ({shop.name}) is not among the landed "
                    "TikTok Shop shops; check the id against the seller's shop list"
                )
        if team_tier(config, team) is None and not team.maturity_tier:
            markets = sorted({s.market or "?" for s in team.shops})
            problems.append(
                f"{team.at}: team '{team.team_id}' has no maturity_tier and its shops' markets "
                f"({', '.join(markets)}) do not share one tier; give the team a maturity_tier "
                "(or every shop its market)"
            )
    for person in config.people:
        problems += _person_rules(person, org)
    return problems


def _person_rules(person, org: _Org) -> list[str]:
    problems = []
    for assignment in person.assignments:
        if assignment.team not in org.teams:
            problems.append(
                _unknown(assignment.at, "team", assignment.team, org.teams, "use a team id")
            )
        if assignment.valid_to and assignment.valid_to < assignment.valid_from:
            problems.append(f"{assignment.at}: `to` {assignment.valid_to} is before `from`")
    ordered = sorted(person.assignments, key=lambda a: a.valid_from)
    for earlier, later in pairwise(ordered):
        if _overlaps(earlier.valid_from, earlier.valid_to, later.valid_from, later.valid_to):
            problems.append(
                f"{later.at}: overlapping assignments of person '{person.person_id}': "
                f"{earlier.team} from {earlier.valid_from} to {earlier.valid_to or 'open'} "
                f"and {later.team} from {later.valid_from}; end the first (`to`) the day before "
                "the second starts"
            )
    for identity in person.identities:
        if identity.shop_id and identity.shop_id not in org.shops:
            problems.append(
                _unknown(
                    identity.at,
                    "shop",
                    identity.shop_id,
                    org.shops,
                    "identities name a shop of one of the teams",
                )
            )
    return problems


def _duplicates(items: list[tuple[str, At]], what: str) -> list[str]:
    seen: dict[str, At] = {}
    problems = []
    for value, at in items:
        if value in seen:
            problems.append(f"{at}: duplicate {what} '{value}', first at {seen[value]}")
        else:
            seen[value] = at
    return problems


def _subject_problems(subject: Subject, at: At, org: _Org) -> list[str]:
    if subject.kind == "role" or subject.name == "*":
        return []
    if subject.name not in org.ids(subject.kind):
        known = org.ids(subject.kind)
        return [_unknown(at, subject.kind, subject.name, known, "use an id the org defines")]
    return []


def _set_rules(config: KpiConfig, org: _Org, refs: References) -> list[str]:
    problems: list[str] = []
    versions: dict[Subject, list[KpiSet]] = defaultdict(list)
    for kpi_set in config.kpi_sets:
        versions[kpi_set.subject].append(kpi_set)
        problems += _subject_problems(kpi_set.subject, kpi_set.at, org)
        problems += _one_set_rules(kpi_set, refs)
    problems += _duplicates(
        [(f"{s.set_id} from {s.valid_from}", s.at) for s in config.kpi_sets], "KPI set version"
    )
    for subject, sets in versions.items():
        ordered = sorted(sets, key=lambda s: s.valid_from)
        for earlier, later in pairwise(ordered):
            if _overlaps(earlier.valid_from, earlier.valid_to, later.valid_from, later.valid_to):
                problems.append(
                    f"{later.at}: overlapping versions for {subject.kind} '{subject.name}': "
                    f"'{earlier.set_id}' from {earlier.valid_from} (to "
                    f"{earlier.valid_to or 'open'}) and '{later.set_id}' from {later.valid_from}; "
                    f"set valid_to: {later.valid_from - timedelta(days=1)} on the earlier one"
                )
    return problems


def _one_set_rules(kpi_set: KpiSet, refs: References) -> list[str]:
    at = kpi_set.at
    problems = []
    if kpi_set.valid_from != quarter_start(kpi_set.valid_from):
        problems.append(
            f"{At(at.file, at.line, at.key + '.valid_from')}: valid_from {kpi_set.valid_from} is "
            f"not a quarter start (Jan/Apr/Jul/Oct 1st); sets change only at quarter starts — "
            f"use {next_quarter_start(kpi_set.valid_from)}, or for a change inside the quarter "
            "add an override with reason and approved_by"
        )
    if kpi_set.valid_to and kpi_set.valid_to + timedelta(days=1) != quarter_start(
        kpi_set.valid_to + timedelta(days=1)
    ):
        problems.append(f"{at}: valid_to {kpi_set.valid_to} is not the last day of a quarter")
    if not 3 <= len(kpi_set.kpis) <= 5:
        problems.append(f"{at}: set '{kpi_set.set_id}' has {len(kpi_set.kpis)} KPIs; 3 to 5")
    total = sum(k.weight for k in kpi_set.kpis)
    if total != 100:
        problems.append(
            f"{At(at.file, at.line, at.key + '.kpis')}: weights of set '{kpi_set.set_id}' sum to "
            f"{total}, not 100"
        )
    problems += _duplicates([(k.kpi, k.at) for k in kpi_set.kpis], "KPI in one set")
    for kpi in kpi_set.kpis:
        problems += _kpi_scope_problems(kpi.at, kpi.kpi, kpi.scope, refs, kpi_set.subject)
        expected = refs.kpi_directions.get(kpi.kpi)
        if kpi.direction and expected and kpi.direction != expected:
            problems.append(
                f"{kpi.at}: direction '{kpi.direction}' disagrees with the KPI dictionary "
                f"('{expected}'); remove `direction` or fix it"
            )
        if kpi.weight <= 0:
            problems.append(f"{kpi.at}: weight {kpi.weight} must be a positive whole number")
        if kpi.floor_pct < 0 or kpi.cap_pct < kpi.floor_pct:
            problems.append(f"{kpi.at}: need 0 <= floor_pct <= cap_pct")
    return problems


def _kpi_scope_problems(
    at: At, kpi: str, scope: str, refs: References, subject: Subject | None = None
) -> list[str]:
    if kpi not in refs.kpi_directions:
        return [
            (
                f"{at}: unknown KPI '{kpi}': not in the KPI dictionary (dbt_project/kpis/*.yml); "
                "use a dictionary name"
            )
        ]
    if scope and (kpi, scope) not in refs.catalog:
        scopes = sorted(s for k, s in refs.catalog if k == kpi)
        return [
            (
                f"{at}: KPI '{kpi}' cannot be scored on scope '{scope}': (kpi, scope) is not in "
                f"the scoring catalogue (dbt_project/seeds/kpi_scoring_catalog.csv); it can be "
                f"scored on: {', '.join(scopes) or 'nothing yet'}"
            )
        ]
    if scope == "person" and subject is not None and subject.kind != "role":
        return [f"{at}: scope 'person' only fits a set that applies to a role"]
    return []


def _target_rules(config: KpiConfig, org: _Org, refs: References) -> list[str]:
    problems = _duplicates([(t.target_id, t.at) for t in config.targets], "target id")
    for target in config.targets:
        if target.scope_id not in org.ids(target.scope):
            problems.append(
                f"{target.at}: target '{target.target_id}' is for {target.scope} "
                f"'{target.scope_id}', which is not in the organisation (organisation.yml); "
                f"known: {', '.join(sorted(org.ids(target.scope))) or 'none'}"
            )
        problems += _kpi_scope_problems(target.at, target.kpi, target.scope, refs)
        entry = refs.catalog.get((target.kpi, target.scope))
        if entry and entry.is_money and not target.currency:
            problems.append(
                f"{target.at}: '{target.kpi}' is a money KPI: the target needs a `currency`"
            )
        if target.currency and target.currency not in refs.currencies_with_rates:
            problems.append(
                f"{target.at}: currency '{target.currency}' has no FX rates (not in "
                "markets.csv, fx_supplementary_rates.csv or the landed ECB history); add its "
                "rates to dbt_project/seeds/fx_supplementary_rates.csv or use another currency"
            )
        if target.month_to and target.month_to < target.month_from:
            problems.append(f"{target.at}: `to` {target.month_to} is before `from`")
    problems += _overlapping_targets(config)
    for transition in config.transitions:
        if transition.scope_id not in org.ids(transition.scope):
            problems.append(
                _unknown(
                    transition.at,
                    transition.scope,
                    transition.scope_id,
                    org.ids(transition.scope),
                    "transitions name a market or team",
                )
            )
    for promotion in config.promotions:
        if promotion.date_to < promotion.date_from:
            problems.append(f"{promotion.at}: `to` {promotion.date_to} is before `from`")
        for market in promotion.markets or ():
            if market not in org.markets:
                problems.append(_unknown(promotion.at, "market", market, org.markets, "fix it"))
    if config.incentive_currency not in refs.currencies_with_rates:
        problems.append(
            f"incentives.yml:1 (currency): currency '{config.incentive_currency}' has no FX rates"
        )
    return problems


def _overlapping_targets(config: KpiConfig) -> list[str]:
    """Two targets for the same unit and KPI in the same month: which one the month is scored
    on is not defined (both would land as target lines of that unit, KPI and month)."""
    lines: dict[tuple[str, str, str], list] = defaultdict(list)
    for target in config.targets:
        lines[(target.scope, target.scope_id, target.kpi)].append(target)
    problems = []
    for (scope, scope_id, kpi), targets in lines.items():
        ordered = sorted(targets, key=lambda t: t.month_from)
        for earlier, later in pairwise(ordered):
            if _overlaps(earlier.month_from, earlier.month_to, later.month_from, later.month_to):
                month_before = (later.month_from - timedelta(days=1)).strftime("%Y-%m")
                problems.append(
                    f"{later.at}: overlapping targets for {scope} '{scope_id}' and KPI '{kpi}': "
                    f"'{earlier.target_id}' from {earlier.month_from:%Y-%m} (to "
                    f"{f'{earlier.month_to:%Y-%m}' if earlier.month_to else 'open'}) and "
                    f"'{later.target_id}' from {later.month_from:%Y-%m}; set `to: "
                    f"{month_before}` on the earlier one"
                )
    return problems


def _set_in_force(config: KpiConfig, subject: Subject, day: date) -> KpiSet | None:
    for kpi_set in config.kpi_sets:
        if kpi_set.subject == subject and kpi_set.valid_from <= day <= (
            kpi_set.valid_to or FOREVER
        ):
            return kpi_set
    return None


def _override_rules(config: KpiConfig, org: _Org, refs: References) -> list[str]:
    problems = _duplicates([(o.override_id, o.at) for o in config.overrides], "override id")
    for override in config.overrides:
        if override.date_to < override.date_from:
            problems.append(f"{override.at}: `to` {override.date_to} is before `from`")
        if override.kind == "target":
            if override.scope and override.scope_id not in org.ids(override.scope):
                problems.append(
                    f"{override.at}: target override for {override.scope} "
                    f"'{override.scope_id}', which is not in the organisation"
                )
            continue
        if override.kind != "weight" or override.subject is None:
            continue
        problems += _subject_problems(override.subject, override.at, org)
        total = sum(weight for _, weight in override.weights)
        if total != 100:
            problems.append(f"{override.at}: override weights sum to {total}, not 100")
        for day in (override.date_from, override.date_to):
            kpi_set = _set_in_force(config, override.subject, day)
            if kpi_set is None:
                problems.append(
                    f"{override.at}: no KPI set applies to {override.subject.kind} "
                    f"'{override.subject.name}' on {day}; a weight override re-weights a set"
                )
                break
            expected = sorted(k.kpi for k in kpi_set.kpis)
            if sorted(kpi for kpi, _ in override.weights) != expected:
                problems.append(
                    f"{override.at}: override weights must name the same KPIs as set "
                    f"'{kpi_set.set_id}' ({', '.join(expected)})"
                )
                break
    return problems


def _set_key(row: dict) -> tuple[str, str]:
    return (str(row["set_id"]), str(row["valid_from"]))


def _stability_rules(
    config: KpiConfig, refs: References, landed_sets: Rows, landed_version: int
) -> list[str]:
    from linkstar_pipeline.lib.kpi_config.normalize import content_tables

    new_rows = content_tables(config, refs.kpi_directions)["kpi_sets"]
    started = refs.today.isoformat()

    def frozen(rows: Rows) -> dict[tuple[str, str], list[tuple]]:
        grouped: dict[tuple[str, str], list[tuple]] = defaultdict(list)
        for row in rows:
            if str(row["valid_from"]) <= started:
                grouped[_set_key(row)].append(tuple(str(row[c]) for c in FROZEN_SET_COLUMNS))
        return {key: sorted(values) for key, values in grouped.items()}

    def valid_to(rows: Rows) -> dict[tuple[str, str], str | None]:
        return {_set_key(row): row["valid_to"] for row in rows}

    old, new = frozen(landed_sets), frozen(new_rows)
    old_to, new_to = valid_to(landed_sets), valid_to(new_rows)
    at_of = {(s.set_id, s.valid_from.isoformat()): s.at for s in config.kpi_sets}
    problems = []
    hint = (
        "its quarter has started, so scores already earned would change; leave it as landed in "
        f"version {landed_version} and add an override (kind: weight, with reason and "
        f"approved_by) for the dates, or start a new version at {next_quarter_start(refs.today)}"
    )
    for key in sorted(set(old) | set(new)):
        where = at_of.get(key, "kpi_sets.yml:1 (kpi_sets)")
        label = f"set '{key[0]}' from {key[1]}"
        if key not in new:
            problems.append(f"{where}: {label} was removed; {hint}")
        elif key not in old:
            problems.append(f"{where}: {label} was added inside a started quarter; {hint}")
        elif old[key] != new[key]:
            problems.append(f"{where}: {label} changed (KPIs, weights, caps or scope); {hint}")
        elif old_to[key] != new_to[key] and (new_to[key] or "9999") < started:
            problems.append(f"{where}: {label} valid_to moved into the past; {hint}")
    return problems
