"""Write the newest day's and week's reports after every run that published the marts.

A run-status sensor, like the publish sensor: reports read the published marts, so they follow
a publish that succeeded, never a failed build. It asks for the newest day whose shop analytics
are published and the newest whole ISO week, as the marts hold them then.
"""

import dagster as dg

from linkstar_pipeline.defs.reports.assets import daily_reports, weekly_reports
from linkstar_pipeline.defs.serving.assets import PUBLISHED_MARTS
from linkstar_pipeline.lib.paths import linkstar_paths
from linkstar_pipeline.lib.reports import newest_periods

daily_reports_job = dg.define_asset_job(
    name="write_daily_reports",
    selection=[daily_reports],
    partitions_def=daily_reports.partitions_def,
)
weekly_reports_job = dg.define_asset_job(
    name="write_weekly_reports",
    selection=[weekly_reports],
    partitions_def=weekly_reports.partitions_def,
)


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    request_jobs=[daily_reports_job, weekly_reports_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="When a run that published the marts succeeds, write the newest reports.",
)
def reports_after_publish(context: dg.RunStatusSensorContext):
    run = context.dagster_run
    records = context.instance.get_records_for_run(
        run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
    ).records
    if PUBLISHED_MARTS not in {r.event_log_entry.dagster_event.asset_key for r in records}:
        return dg.SkipReason(f"Run {run.run_id} did not publish the marts.")
    day, week = newest_periods(linkstar_paths())
    requests = []
    for job, period in ((daily_reports_job, day), (weekly_reports_job, week)):
        if period is not None:
            requests.append(
                dg.RunRequest(
                    run_key=f"{job.name}-{period}-after-{run.run_id}",
                    job_name=job.name,
                    partition_key=period.isoformat(),
                )
            )
    return requests or dg.SkipReason("No published day or whole week to report on yet.")
