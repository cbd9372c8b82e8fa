"""The one freshness policy every asset carries: the warehouse is refreshed nightly, so one
missed night shows as a warning in the UI and two as a failure."""

from datetime import timedelta

import dagster as dg

DAILY_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=50), warn_window=timedelta(hours=26)
)
