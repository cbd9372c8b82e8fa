"""A one-screen summary of a valid configuration, for `linkstar kpi-config check`."""

from __future__ import annotations

from collections import Counter

from linkstar_pipeline.lib.kpi_config.model import KpiConfig


def config_summary(config: KpiConfig) -> str:
    roles = Counter(a.role for p in config.people for a in p.assignments)
    shops = sum(len(t.shops) for t in config.teams)
    lines = [
        f"{config.source_dir}: valid",
        (
            f"  regions {len(config.regions)}, markets {len(config.markets)}, "
            f"teams {len(config.teams)} ({shops} shops), people {len(config.people)}"
        ),
        "  assignments by role: " + ", ".join(f"{r} {n}" for r, n in sorted(roles.items())),
        f"  KPI sets {len(config.kpi_sets)}:",
    ]
    for kpi_set in config.kpi_sets:
        until = kpi_set.valid_to or "open"
        kpis = ", ".join(f"{k.kpi}@{k.scope} {k.weight}" for k in kpi_set.kpis)
        subject = f"{kpi_set.subject.kind} {kpi_set.subject.name}"
        lines.append(f"    {kpi_set.set_id} ({subject}) {kpi_set.valid_from}..{until}: {kpis}")
    scopes = Counter(t.scope for t in config.targets)
    lines += [
        f"  targets {len(config.targets)}: "
        + ", ".join(f"{s} {n}" for s, n in sorted(scopes.items())),
        (
            f"  transitions {len(config.transitions)}, promotions {len(config.promotions)}, "
            f"overrides {len(config.overrides)}, incentive tiers {len(config.incentive_tiers)} "
            f"({config.incentive_currency})"
        ),
    ]
    return "\n".join(lines)
