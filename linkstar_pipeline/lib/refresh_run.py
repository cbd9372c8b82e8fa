"""A night's refresh in this process, as `linkstar run` and the tests run it: ingest, then build.

The two stages are two runs because Dagster skips every step downstream of a failed one: in a
single run, one failing endpoint would stop the dbt build and the publish for every shop. Here
each source lands (or fails) on its own, then the build runs over everything landed — a
failed source's earlier raw files included — whatever the ingestion's outcome. The daemon does
the same for the nightly schedule (sensor `build_after_ingestion`). Only the build itself
(a model error, an ERROR-severity dbt test, or the blocking FX check of defs/trust/integrity.py:
the data is wrong) stops the publish, and then the previously published marts stay as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import dagster as dg

from linkstar_pipeline.lib.source_config import SourceConfiguration, source_configuration
from linkstar_pipeline.lib.source_status import (
    API_SOURCES,
    FAILED,
    NOT_CONFIGURED,
    SourceStatus,
    keys_by_step,
    root_cause_message,
    source_of,
    source_statuses,
)
from linkstar_pipeline.lib.stale_runs import process_tags

# `linkstar run` exit codes (documented in the README).
EXIT_OK = 0
EXIT_SOURCE_FAILED = 1  # a configured source failed; the marts were built from the rest
EXIT_BUILD_FAILED = 3  # the build or publish failed, or an integrity failure blocked the publish


@dataclass(frozen=True)
class RefreshOutcome:
    ingestion: dg.ExecuteInProcessResult
    # None when the build was not run: asked not to, or every API source failed.
    build: dg.ExecuteInProcessResult | None
    sources: tuple[SourceStatus, ...]

    @property
    def build_failures(self) -> list[str]:
        return step_failure_messages(self.build) if self.build is not None else []

    @property
    def built(self) -> bool:
        return self.build is not None and self.build.success

    @property
    def failed_sources(self) -> list[SourceStatus]:
        return [status for status in self.sources if status.state == FAILED]

    @property
    def exit_code(self) -> int:
        if self.build is not None and not self.build.success:
            return EXIT_BUILD_FAILED
        return EXIT_SOURCE_FAILED if self.failed_sources else EXIT_OK

    def _results(self) -> list[dg.ExecuteInProcessResult]:
        return [self.ingestion] + ([self.build] if self.build is not None else [])

    def get_asset_check_evaluations(self):
        return [e for result in self._results() for e in result.get_asset_check_evaluations()]

    def get_asset_materialization_events(self):
        return [e for result in self._results() for e in result.get_asset_materialization_events()]

    @property
    def all_events(self):
        return [e for result in self._results() for e in result.all_events]


def every_api_source_failed(sources: tuple[SourceStatus, ...]) -> bool:
    """No API answered (network down, every credential wrong): the raw files are what the last
    build already used, so a build would only repeat it — `linkstar rebuild` does that."""
    configured = [s for s in sources if s.source in API_SOURCES and s.state != NOT_CONFIGURED]
    return bool(configured) and all(s.state == FAILED for s in configured)


def step_failure_messages(result: dg.ExecuteInProcessResult) -> list[str]:
    messages = []
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data is not None:
            error = event.step_failure_data.error
            messages.append(f"{event.step_key}: {root_cause_message(error) if error else 'failed'}")
    return messages


def ingestion_keys(defs: dg.Definitions, configuration: SourceConfiguration) -> set[dg.AssetKey]:
    """The ingestion assets of every source this run is configured for."""
    from linkstar_pipeline.defs.refresh.jobs import INGESTION_GROUPS

    keys = dg.AssetSelection.groups(*INGESTION_GROUPS).resolve(defs.resolve_asset_graph())
    return {key for key in keys if not configuration.skips(source_of(key))}


def ingestion_keys_by_step(
    defs: dg.Definitions, ingestion: set[dg.AssetKey]
) -> dict[str, list[dg.AssetKey]]:
    """Step → its keys among `ingestion` (the asset graph is resolved once and cached by
    `Definitions`, so asking it again here costs nothing)."""
    steps = keys_by_step(defs.resolve_asset_graph())
    return {
        step: [key for key in keys if key in ingestion]
        for step, keys in steps.items()
        if any(key in ingestion for key in keys)
    }


def run_refresh(
    instance: dg.DagsterInstance,
    start: date,
    end: date,
    *,
    tags: dict[str, str] | None = None,
    run_config: dict | None = None,
    build: bool = True,
    configuration: SourceConfiguration | None = None,
) -> RefreshOutcome:
    """Ingest every configured source over `start`..`end`, then (unless `build` is False)
    rebuild and publish the marts from all landed raw files, whatever the ingestion's outcome.
    Raises SourceConfigError before anything runs when a source is half configured."""
    from linkstar_pipeline.definitions import defs
    from linkstar_pipeline.defs.refresh.jobs import (
        INGEST_JOB_NAME,
        REBUILD_JOB_NAME,
        partition_range_tags,
    )

    common = {"instance": instance, "raise_on_error": False}
    tags = {**(tags or {}), **process_tags()}  # a kill -9 of this process is found later
    if run_config is not None:
        common["run_config"] = run_config
    configuration = configuration or source_configuration()
    selected = ingestion_keys(defs, configuration)
    ingestion = defs.resolve_job_def(INGEST_JOB_NAME).execute_in_process(
        tags={**tags, **partition_range_tags(start, end)},
        asset_selection=sorted(selected, key=lambda key: key.path),
        **common,
    )
    sources = tuple(
        source_statuses(
            ingestion, ingestion_keys_by_step(defs, selected), configuration.not_configured
        )
    )
    outcome = RefreshOutcome(ingestion, None, sources)
    if not build or every_api_source_failed(sources):
        return outcome
    failed = ",".join(s.source for s in outcome.failed_sources) or "none"
    rebuilt = defs.resolve_job_def(REBUILD_JOB_NAME).execute_in_process(
        tags={
            **tags,
            "linkstar/after_ingestion_run": ingestion.run_id,
            "linkstar/failed_sources": failed,
        },
        **common,
    )
    return RefreshOutcome(ingestion, rebuilt, sources)
