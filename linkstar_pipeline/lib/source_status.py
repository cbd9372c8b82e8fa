"""What each source did in an ingestion run: loaded, failed (and why), or not configured.

A night has two stages (see defs/refresh/jobs.py): ingestion, where every source lands on its
own and one source's failure fails only its assets, then one build over everything landed.
This module reads the ingestion run's events into one line per source for `linkstar run`, the
nightly build's run tags and the exit code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import dagster as dg

LOADED = "loaded"
FAILED = "failed"
NOT_CONFIGURED = "not configured"

# The order sources are listed in, and how each is named to a person.
SOURCE_LABELS = {
    "tiktok_shop": "TikTok Shop",
    "tiktok_ads": "TikTok Ads",
    "erp_files": "ERP files",
    "erp_api": "ERP API",
    "fx": "FX rates (ECB)",
    "kpi_config": "KPI config",
}


# The sources fetched from an API (the others are local files: ERP exports, KPI config).
API_SOURCES = ("tiktok_shop", "tiktok_ads", "fx", "erp_api")


@dataclass(frozen=True)
class SourceStatus:
    source: str
    state: str
    detail: str = ""

    def line(self) -> str:
        label = SOURCE_LABELS.get(self.source, self.source)
        return f"{label:<16} {self.state}" + (f": {self.detail}" if self.detail else "")


def source_of(key: dg.AssetKey) -> str:
    """The source an ingestion asset belongs to (its group; the ERP's API apart from files)."""
    group, name = key.path[0], key.path[-1]
    if group == "erp":
        return "erp_api" if name.startswith("api_") else "erp_files"
    return group


def root_cause_message(error) -> str:
    """The innermost cause of a step's error, as `Type: message`: the connector's own words
    (URL, endpoint, code, what to do), not Dagster's "Error occurred while executing op"."""
    while getattr(error, "cause", None) is not None:
        error = error.cause
    kind = (error.cls_name or "").strip()
    message = (error.message or "").strip()
    head, _, rest = message.partition(": ")
    if kind and head.split(".")[-1] == kind:  # Dagster keeps "module.Type: message"
        message = rest
    return f"{kind}: {message}" if kind else message


def _first_line(text: str) -> str:
    line = next((part.strip() for part in text.strip().splitlines() if part.strip()), "")
    return line if len(line) <= 400 else line[:397] + "..."


def source_statuses(
    result: dg.ExecuteInProcessResult,
    keys_by_step: Mapping[str, Iterable[dg.AssetKey]],
    not_configured: Mapping[str, str] | None = None,
) -> list[SourceStatus]:
    """One status per source of the run's assets, from its materializations, step failures
    and failed ERROR-severity checks; the sources the run left out are `not_configured`. An asset that neither materialized nor failed was not
    run because something upstream of it failed; it counts against its source too."""
    assets = {key for keys in keys_by_step.values() for key in keys}
    materialized: set[dg.AssetKey] = set()
    problems: dict[str, list[str]] = defaultdict(list)
    failed_keys: set[dg.AssetKey] = set()
    for event in result.all_events:
        if event.is_step_materialization:
            materialized.add(event.event_specific_data.materialization.asset_key)
        elif event.is_step_failure:
            error = event.step_failure_data.error if event.step_failure_data else None
            reason = _first_line(root_cause_message(error)) if error else "failed"
            for key in keys_by_step.get(event.step_key, ()):
                failed_keys.add(key)
            keys = sorted(keys_by_step.get(event.step_key, ()), key=lambda k: k.path)
            if keys:
                names = ", ".join("/".join(k.path[1:]) or k.path[0] for k in keys[:3])
                names += f" (+{len(keys) - 3} more)" if len(keys) > 3 else ""
                problems[source_of(keys[0])].append(f"{names}: {reason}")
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
            said = f": {evaluation.description}" if evaluation.description else ""
            problems[source_of(evaluation.asset_key)].append(
                f"check {evaluation.check_name} failed{said}"
            )
    not_run: dict[str, list[dg.AssetKey]] = defaultdict(list)
    for key in assets - failed_keys - materialized:
        not_run[source_of(key)].append(key)
    for source, keys in not_run.items():
        problems[source].append(f"{len(keys)} asset(s) not run because an upstream step failed")

    statuses = [SourceStatus(s, NOT_CONFIGURED, why) for s, why in (not_configured or {}).items()]
    sources = {source_of(key) for key in assets} - set(not_configured or {})
    order = list(SOURCE_LABELS)
    for source in sorted(sources):
        source_keys = [key for key in assets if source_of(key) == source]
        if problems[source]:
            statuses.append(SourceStatus(source, FAILED, "; ".join(problems[source])))
        else:
            statuses.append(SourceStatus(source, LOADED, f"{len(source_keys)} asset(s)"))
    return sorted(statuses, key=lambda s: order.index(s.source) if s.source in order else 99)


def keys_by_step(asset_graph) -> dict[str, list[dg.AssetKey]]:
    """Step key (the op's name, in-process) → the asset keys that step materializes."""
    steps: dict[str, list[dg.AssetKey]] = {}
    for assets_def in asset_graph.assets_defs:
        if assets_def.is_executable and assets_def.keys:
            steps.setdefault(assets_def.node_def.name, []).extend(assets_def.keys)
    return steps
