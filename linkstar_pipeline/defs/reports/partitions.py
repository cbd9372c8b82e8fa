"""Reports are partitioned by the shop-local day they explain and by ISO week (Monday first)."""

import dagster as dg

from linkstar_pipeline.lib.settings import PipelineSettings

# Partitioned unlike the marts, so no job of whole-warehouse rebuilds may select this group:
# sensor reports_after_publish writes the reports after such a job publishes.
REPORTS_GROUP = "reports"

_START = PipelineSettings.from_env().partitions_start

report_days = dg.DailyPartitionsDefinition(start_date=_START)
# day_offset=1: weeks start on Monday, as ISO weeks and dim_dates.week_start do.
report_weeks = dg.WeeklyPartitionsDefinition(start_date=_START, day_offset=1)
