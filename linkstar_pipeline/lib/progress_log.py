"""What `linkstar run` prints while it works: one line per step that finishes or fails and
one per warning, instead of Dagster's full event log (~1,700 lines a night). Every event
still reaches the Dagster instance, so the UI shows the run in full; `--verbose` adds
Dagster's own console log back."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import IO

import dagster as dg

from linkstar_pipeline.lib.source_status import root_cause_message

PROGRESS_LOGGER = "progress"


def progress_line(record: logging.LogRecord) -> str | None:
    """The line a record deserves on the console, or None for the ones that are noise."""
    meta = getattr(record, "dagster_meta", None) or {}
    step = meta.get("step_key") or meta.get("job_name") or ""
    event = meta.get("dagster_event")
    if event is None:
        if record.levelno < logging.WARNING:
            return None
        first_line = (meta.get("orig_message") or record.getMessage()).strip().splitlines()
        return f"  warning  {step}: {first_line[0] if first_line else ''}"
    if event.event_type_value == "STEP_SUCCESS":
        seconds = event.event_specific_data.duration_ms / 1000
        return f"  done     {step} ({seconds:.0f} s)"
    if event.event_type_value == "STEP_FAILURE":
        cause = root_cause_message(event.step_failure_data.error).splitlines()
        return f"  FAILED   {step}: {cause[0] if cause else 'see the Dagster UI'}"
    return None


class _ProgressHandler(logging.Handler):
    def __init__(self, stream: IO[str]) -> None:
        super().__init__()
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        line = progress_line(record)
        if line is not None:
            print(line, file=self.stream, flush=True)


@dg.logger(description="One line per finished or failed step and per warning (linkstar run).")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger(f"linkstar.progress.{init_context.run_id}")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.handlers.clear()
    # The stream of the moment the run starts: the dbt step later redirects sys.stdout.
    logger.addHandler(_ProgressHandler(sys.stdout))
    return logger


def build_report(result: dg.ExecuteInProcessResult, dbt_log: Path) -> str:
    """Two lines after a build: what was checked, which checks only warned (a warning is not
    a failure, so it would otherwise stay buried in dbt's output), and where dbt's log is."""
    evaluations = result.get_asset_check_evaluations()
    warned = sorted(
        f"{e.asset_key.to_user_string()}:{e.check_name}"
        for e in evaluations
        if not e.passed and e.severity == dg.AssetCheckSeverity.WARN
    )
    built = len(result.get_asset_materialization_events())
    head = f"Build: {built} assets materialized, {len(evaluations)} checks run"
    if warned:
        more = f" and {len(warned) - 3} more" if len(warned) > 3 else ""
        head += f", {len(warned)} warned: {', '.join(warned[:3])}{more} (see the Dagster UI)"
    else:
        head += ", none warned"
    return f"{head}\nFull dbt log: {dbt_log}"


def cli_run_config(verbose: bool) -> dict:
    """Run config for the CLI's runs: progress lines, plus Dagster's console when verbose."""
    loggers: dict = {PROGRESS_LOGGER: {}}
    if verbose:
        loggers["console"] = {"config": {"log_level": "INFO"}}
    return {"loggers": loggers}
