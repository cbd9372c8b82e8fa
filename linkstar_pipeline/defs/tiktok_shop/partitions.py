"""Orders are partitioned by the UTC day of their `update_time`.

Keying on update time (not creation) is what makes loads incremental: an order that changes
status lands again in the partition of the day it changed, and staging keeps its newest
version. `end_offset=1` makes today a partition too, so a run picks up changes made since
midnight instead of leaving them for tomorrow.
"""

from collections.abc import Iterator
from datetime import UTC, timedelta

import dagster as dg

from linkstar_pipeline.lib.settings import PipelineSettings

order_update_days = dg.DailyPartitionsDefinition(
    start_date=PipelineSettings.from_env().partitions_start,
    timezone="UTC",
    end_offset=1,
)


def utc_days(window: dg.TimeWindow) -> Iterator[tuple[str, int, int]]:
    """(partition key, start, end) in Unix seconds for each UTC day of a run's window: the
    update-time filters of every daily feed (end exclusive, as the search endpoints take it)."""
    day = window.start.astimezone(UTC)
    while day < window.end:
        yield (
            day.strftime("%Y-%m-%d"),
            int(day.timestamp()),
            int((day + timedelta(days=1)).timestamp()),
        )
        day += timedelta(days=1)
