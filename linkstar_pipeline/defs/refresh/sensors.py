"""Build and publish after every ingestion run, whether it succeeded or a source failed.

The nightly schedule (and a UI user) launches `ingest_sources`; when that run ends these
sensors launch `rebuild_from_raw`, so one failing source never stops the marts of the others.
A cancelled ingestion builds nothing: someone stopped it on purpose.
"""

import dagster as dg

from linkstar_pipeline.defs.refresh.jobs import ingest_sources, rebuild_from_raw


def _build_request(context: dg.RunStatusSensorContext) -> dg.RunRequest:
    run = context.dagster_run
    return dg.RunRequest(
        run_key=f"build-after-{run.run_id}",
        tags={
            "linkstar/after_ingestion_run": run.run_id,
            "linkstar/ingestion_status": run.status.value,
            **{k: v for k, v in run.tags.items() if k == "linkstar/trigger"},
        },
    )


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[ingest_sources],
    request_job=rebuild_from_raw,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="When an ingest_sources run succeeds, rebuild and publish the marts.",
)
def build_after_ingestion(context: dg.RunStatusSensorContext) -> dg.RunRequest:
    return _build_request(context)


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.FAILURE,
    monitored_jobs=[ingest_sources],
    request_job=rebuild_from_raw,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "When an ingest_sources run fails (a source failed; the others landed), still rebuild "
        "and publish the marts from everything landed."
    ),
)
def build_after_failed_ingestion(context: dg.RunStatusSensorContext) -> dg.RunRequest:
    return _build_request(context)
