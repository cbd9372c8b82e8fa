"""Alerts for runs the Dagster daemon launches (the nightly, the UI, the sensors): a failed
run of any job, and after every build its failed sources and the reconciliation digest.
`linkstar run` sends the same alerts itself (lib/refresh_alerts.py). Nothing is sent unless
LINKSTAR_ALERT_WEBHOOK_URL is set (lib/alerts.py)."""

import dagster as dg

from linkstar_pipeline.defs.refresh.jobs import rebuild_from_raw
from linkstar_pipeline.lib.alerts import Alert, AlertSettings, send
from linkstar_pipeline.lib.paths import linkstar_paths
from linkstar_pipeline.lib.source_status import root_cause_message
from linkstar_pipeline.lib.trust import trust_alerts
from linkstar_pipeline.lib.warehouse_lock import WarehouseBusyError

FAILED_SOURCES_TAG = "linkstar/failed_sources"


@dg.run_failure_sensor(
    monitor_all_code_locations=False,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="POSTs a run_failed alert to LINKSTAR_ALERT_WEBHOOK_URL when any run fails.",
)
def alert_on_run_failure(context: dg.RunFailureSensorContext) -> dg.SkipReason | None:
    if AlertSettings.from_env().url is None:
        return dg.SkipReason("LINKSTAR_ALERT_WEBHOOK_URL is not set")
    run = context.dagster_run
    steps = [
        f"{event.step_key}: {_cause(event)}"
        for event in context.get_step_failure_events()
        if event.step_key
    ]
    send(Alert("run_failed", f"{run.job_name} run failed", steps[:20], run.run_id))
    return None


def _cause(event: dg.DagsterEvent) -> str:
    """The error that failed the step, in one line (not Dagster's "step failed")."""
    data = event.step_failure_data
    return root_cause_message(data.error) if data is not None and data.error else str(event.message)


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[rebuild_from_raw],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "After every successful build: a source_failed alert for the sources its ingestion lost, "
        "and the reconciliation digest (check_failed first when a check is at severity error)."
    ),
)
def alert_after_build(context: dg.RunStatusSensorContext) -> dg.SkipReason | None:
    if AlertSettings.from_env().url is None:
        return dg.SkipReason("LINKSTAR_ALERT_WEBHOOK_URL is not set")
    run = context.dagster_run
    failed = [s for s in run.tags.get(FAILED_SOURCES_TAG, "none").split(",") if s != "none"]
    if failed:
        title = f"{', '.join(failed)} failed; the marts use their data landed before this run"
        send(Alert("source_failed", title, [], run.run_id))
    try:
        alerts = trust_alerts(linkstar_paths(), run.run_id)
    except WarehouseBusyError:
        return dg.SkipReason("the warehouse is being rebuilt; the next build sends the digest")
    for alert in alerts:
        send(alert)
    return None
