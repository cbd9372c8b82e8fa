"""The nightly refresh: re-fetch the look-back window; the build follows (sensors.py)."""

from datetime import UTC

import dagster as dg

from linkstar_pipeline.defs.refresh.jobs import (
    default_refresh_range,
    ingest_sources,
    partition_range_tags,
)
from linkstar_pipeline.lib.paths import linkstar_paths
from linkstar_pipeline.lib.refresh_run import ingestion_keys
from linkstar_pipeline.lib.settings import PipelineSettings
from linkstar_pipeline.lib.source_config import SourceConfigError, source_configuration

_settings = PipelineSettings.from_env()


@dg.schedule(
    job=ingest_sources,
    cron_schedule=_settings.nightly_cron,
    execution_timezone=_settings.nightly_timezone,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "Nightly (LINKSTAR_NIGHTLY_CRON, default 02:00 in LINKSTAR_NIGHTLY_TIMEZONE): ingest the "
        "recent partitions; build_after_ingestion then rebuilds and publishes the marts."
    ),
)
def nightly_refresh(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    # Partitions are UTC days, whatever clock the schedule ticks on.
    today = context.scheduled_execution_time.astimezone(UTC).date()
    start, end = default_refresh_range(today, linkstar_paths().raw_dir, PipelineSettings.from_env())
    try:
        configuration = source_configuration()
    except SourceConfigError as error:
        return dg.SkipReason(f"Not run: a source is half configured.\n{error}")
    from linkstar_pipeline.definitions import defs  # the full graph, at tick time

    selection = ingestion_keys(defs, configuration)  # sources not configured are left out
    return dg.RunRequest(
        run_key=f"nightly-{end.isoformat()}",
        tags={**partition_range_tags(start, end), "linkstar/trigger": "nightly"},
        asset_selection=sorted(selection, key=lambda key: key.path),
    )
