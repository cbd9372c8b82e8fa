"""Reports are partitioned by the shop-local day they explain and by ISO week (Monday first)."""

import dagster as dg

from linkstar_pipeline.lib.settings import PipelineSettings

_START = PipelineSettings.from_env().partitions_start

report_days = dg.DailyPartitionsDefinition(start_date=_START)
# day_offset=1: weeks start on Monday, as ISO weeks and dim_dates.week_start do.
report_weeks = dg.WeeklyPartitionsDefinition(start_date=_START, day_offset=1)
