"""Pipeline settings that are not secrets, from environment variables with safe defaults.

Secrets never pass through here: each connector reads its own credentials.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta

from linkstar_pipeline.lib.clock import pipeline_today

PARTITIONS_START_VARIABLE = "LINKSTAR_PARTITIONS_START"


class SettingsError(ValueError):
    """A LINKSTAR_* environment variable holds a value the pipeline cannot use."""


def _int_env(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise SettingsError(f"{name}={raw!r} is not a whole number") from error
    if value < minimum:
        raise SettingsError(f"{name}={value} must be at least {minimum}")
    return value


def _partitions_start(initial_history_days: int) -> str:
    """First day of the daily partitions: LINKSTAR_PARTITIONS_START, or by default the first
    day the first run loads (today − initial history + 1, the sandbox's history start too), so
    the UI shows no months of "missing" partitions before the seller's history. The default
    rolls forward with the clock; a seller who keeps or backfills older days pins it."""
    raw = os.environ.get(PARTITIONS_START_VARIABLE)
    if raw in (None, ""):
        return (pipeline_today() - timedelta(days=initial_history_days - 1)).isoformat()
    try:
        return date.fromisoformat(raw).isoformat()
    except ValueError as error:
        raise SettingsError(
            f"{PARTITIONS_START_VARIABLE}={raw!r} is not a YYYY-MM-DD date"
        ) from error


@dataclass(frozen=True)
class PipelineSettings:
    partitions_start: str
    lookback_days: int
    initial_history_days: int
    nightly_cron: str
    nightly_timezone: str
    api_max_attempts: int

    @classmethod
    def from_env(cls) -> PipelineSettings:
        # Days fetched by the first run into an empty LINKSTAR_HOME.
        initial_history_days = _int_env("LINKSTAR_INITIAL_HISTORY_DAYS", 30, minimum=1)
        return cls(
            # First day the daily partitions offer (UTC); older days need it moved back.
            partitions_start=_partitions_start(initial_history_days),
            # Days before today re-fetched on every run, so late changes land.
            lookback_days=_int_env("LINKSTAR_LOOKBACK_DAYS", 3, minimum=0),
            initial_history_days=initial_history_days,
            nightly_cron=os.environ.get("LINKSTAR_NIGHTLY_CRON", "0 2 * * *"),
            nightly_timezone=os.environ.get("LINKSTAR_NIGHTLY_TIMEZONE", "UTC"),
            # Tries per API call (the first included) before a source gives up, for every API.
            api_max_attempts=_int_env("LINKSTAR_API_MAX_ATTEMPTS", 6, minimum=1),
        )
