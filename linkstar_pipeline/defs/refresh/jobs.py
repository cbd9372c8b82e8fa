"""A refresh is two runs: ingest every source over a range of days, then build and publish.

Dagster skips every step downstream of a failed one, so in one run a single failing endpoint
stopped the dbt build and the publish for every shop. Split in two, each source lands (or
fails) on its own in `ingest_sources`; `rebuild_from_raw` then builds from everything landed —
a failed source's earlier raw files included — and publishes. The nightly schedule launches
the ingestion and sensor `build_after_ingestion` the build when it ends, success or failure;
`linkstar run` does both in-process (linkstar_pipeline/lib/refresh_run.py).

A range ingests as ONE run (the orders asset has a single-run backfill policy), so every day
lands before the single dbt build starts — no partial marts, one writer.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import dagster as dg
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from linkstar_pipeline.defs.reports.partitions import REPORTS_GROUP
from linkstar_pipeline.lib.raw_landing import raw_file_path
from linkstar_pipeline.lib.settings import PipelineSettings

INGEST_JOB_NAME = "ingest_sources"
REBUILD_JOB_NAME = "rebuild_from_raw"
INGESTION_GROUPS = ("tiktok_shop", "tiktok_ads", "erp", "fx", "kpi_config")

ingest_sources = dg.define_asset_job(
    name=INGEST_JOB_NAME,
    selection=dg.AssetSelection.groups(*INGESTION_GROUPS),
    description=(
        "Land every source's raw data for a range of days; a failing source fails only its own "
        "assets. When the run ends, sensor build_after_ingestion launches rebuild_from_raw. "
        "To refresh days: Materialize all, then type a range of partitions such as "
        "[2026-11-01...2026-11-07] (one run lands them all)."
    ),
)


# Replay: every model and the published marts from the landed raw files, no API call at all.
rebuild_from_raw = dg.define_asset_job(
    name=REBUILD_JOB_NAME,
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups(*INGESTION_GROUPS, REPORTS_GROUP),
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
