"""Republish after any run that changed marts without publishing them.

The refresh jobs publish in the same run as the build, but a mart materialized on its own (from
the UI, a backfill of one model) would leave BI reading an older copy than the warehouse holds.
A run-status sensor on success, not an automation condition: a failed build (an integrity test
failed) must leave the previous publish in place, and a run's outcome says exactly that. The
publish job runs the blocking FX check first (defs/trust/integrity.py): a mart run that
succeeded does not make a warehouse whose shop days lack a rate publishable.
"""

import dagster as dg

from linkstar_pipeline.defs.serving.assets import MART_KEYS, PUBLISHED_MARTS
from linkstar_pipeline.defs.trust.integrity import FX_RATE_CHECK

PUBLISH_JOB_NAME = "publish_marts"

publish_job = dg.define_asset_job(
    name=PUBLISH_JOB_NAME,
    selection=dg.AssetSelection.assets(PUBLISHED_MARTS) | dg.AssetSelection.checks(FX_RATE_CHECK),
    description=(
        "Publish the marts as the warehouse holds them now, for BI tools, unless a shop day "
        "uses a currency with no FX rate (check every_used_currency_has_an_fx_rate)."
    ),
)


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    request_job=publish_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "When a run that materialized a mart succeeds without publishing, publish the marts."
    ),
)
def publish_after_mart_runs(context: dg.RunStatusSensorContext):
    run = context.dagster_run
    records = context.instance.get_records_for_run(
        run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
    ).records
    materialized = {record.event_log_entry.dagster_event.asset_key for record in records}
    if PUBLISHED_MARTS in materialized:
        return dg.SkipReason(f"Run {run.run_id} published the marts itself.")
    if not materialized & set(MART_KEYS):
        return dg.SkipReason(f"Run {run.run_id} materialized no mart.")
    return dg.RunRequest(
        run_key=f"publish-after-{run.run_id}", tags={"linkstar/after_run": run.run_id}
    )
