"""Orders are partitioned by the UTC day of their `update_time`.

Keying on update time (not creation) is what makes loads incremental: an order that changes
status lands again in the partition of the day it changed, and staging keeps its newest
version. `end_offset=1` makes today a partition too, so a run picks up changes made since
midnight instead of leaving them for tomorrow.
"""

import dagster as dg

from linkstar_pipeline.lib.settings import PipelineSettings

order_update_days = dg.DailyPartitionsDefinition(
    start_date=PipelineSettings.from_env().partitions_start,
    timezone="UTC",
    end_offset=1,
)
