"""One job refreshes the whole warehouse: every asset, over a range of order partitions.

A range runs as ONE run (the orders asset has a single-run backfill policy), so ingestion of
all the days finishes before the single dbt build starts — no partial marts, one writer.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import dagster as dg
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from linkstar_pipeline.lib.raw_landing import raw_file_path
from linkstar_pipeline.lib.settings import PipelineSettings

REFRESH_JOB_NAME = "refresh_warehouse"
REBUILD_JOB_NAME = "rebuild_from_raw"
INGESTION_GROUPS = ("tiktok_shop", "tiktok_ads", "erp", "fx", "kpi_config")

refresh_warehouse = dg.define_asset_job(
    name=REFRESH_JOB_NAME,
    selection=dg.AssetSelection.all(),
    description="Ingest every source for a range of days, rebuild all dbt models (tests as checks), publish the marts.",
)


# Replay: every model and the published marts from the landed raw files, no API call at all.
rebuild_from_raw = dg.define_asset_job(
    name=REBUILD_JOB_NAME,
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups(*INGESTION_GROUPS),
    description="Rebuild all dbt models and republish the marts from the raw files already landed.",
)


def partition_range_tags(start: date, end: date) -> dict[str, str]:
    if end < start:
        raise ValueError(f"--end {end} is before --start {start}")
    return {
        ASSET_PARTITION_RANGE_START_TAG: start.isoformat(),
        ASSET_PARTITION_RANGE_END_TAG: end.isoformat(),
    }


def default_refresh_range(
    today: date, raw_dir: Path, settings: PipelineSettings
) -> tuple[date, date]:
    """The recent days (look-back) once history exists; the initial history on a first run."""
    first_run = not raw_file_path(raw_dir, "tiktok_shop", "shops", "shops").exists()
    days_back = settings.initial_history_days - 1 if first_run else settings.lookback_days
    start = max(today - timedelta(days=days_back), date.fromisoformat(settings.partitions_start))
    return start, today
