"""Pipeline settings that are not secrets, from environment variables with safe defaults.

Secrets never pass through here: each connector reads its own credentials.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


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
        return cls(
            # First day the daily partitions offer (UTC); older history is a backfill away.
            partitions_start=os.environ.get("LINKSTAR_PARTITIONS_START", "2025-01-01"),
            # Days before today re-fetched on every run, so late changes land.
            lookback_days=_int_env("LINKSTAR_LOOKBACK_DAYS", 3, minimum=0),
            # Days fetched by the first run into an empty LINKSTAR_HOME.
            initial_history_days=_int_env("LINKSTAR_INITIAL_HISTORY_DAYS", 30, minimum=1),
            nightly_cron=os.environ.get("LINKSTAR_NIGHTLY_CRON", "0 2 * * *"),
            nightly_timezone=os.environ.get("LINKSTAR_NIGHTLY_TIMEZONE", "UTC"),
            # Tries per API call (the first included) before a source gives up, for every API.
            api_max_attempts=_int_env("LINKSTAR_API_MAX_ATTEMPTS", 6, minimum=1),
        )
