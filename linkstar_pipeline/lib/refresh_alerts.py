"""The alerts one refresh raises (lib/alerts.py sends them): a run that failed, sources that
failed, and, once the marts are built, the reconciliation digest (lib/trust.py)."""

from __future__ import annotations

from linkstar_pipeline.lib.alerts import Alert
from linkstar_pipeline.lib.paths import LinkstarPaths
from linkstar_pipeline.lib.refresh_run import RefreshOutcome
from linkstar_pipeline.lib.trust import trust_alerts


def refresh_alerts(outcome: RefreshOutcome, paths: LinkstarPaths) -> list[Alert]:
    alerts = []
    if outcome.failed_sources:
        names = ", ".join(status.source for status in outcome.failed_sources)
        alerts.append(
            Alert(
                "source_failed",
                f"{names} failed; the marts use their data landed before this run",
                [status.line() for status in outcome.failed_sources],
                outcome.ingestion.run_id,
            )
        )
    if outcome.build is None:
        alerts.append(
            Alert(
                "run_failed",
                "every API source failed: nothing was rebuilt, the published marts stay as they were",
                [],
                outcome.ingestion.run_id,
            )
        )
    elif not outcome.build.success:
        alerts.append(
            Alert(
                "run_failed",
                "the build failed: the published marts stay as they were",
                outcome.build_failures,
                outcome.build.run_id,
            )
        )
    else:
        alerts += trust_alerts(paths, outcome.build.run_id)
    return alerts
