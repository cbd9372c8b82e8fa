"""The daily and weekly HTML reports of every scope, written from the published marts.

One partition writes the report of every scope (the whole seller, each region, market and
shop) in the configured language (LINKSTAR_REPORT_LANGUAGE, default en), then tells the alert
webhook (when configured) with a short summary and the global report's path. A scope whose
report cannot be written fails the partition naming it, after the others are written.
"""

from datetime import date

import dagster as dg

from linkstar_pipeline.defs.reports.partitions import REPORTS_GROUP, report_days, report_weeks
from linkstar_pipeline.defs.serving.assets import PUBLISHED_MARTS
from linkstar_pipeline.lib.paths import linkstar_paths
from linkstar_pipeline.lib.reports import send_report_alert, write_all_scopes


def _write(context: dg.AssetExecutionContext, kind: str) -> dg.MaterializeResult:
    paths, period = linkstar_paths(), date.fromisoformat(context.partition_key)
    written = write_all_scopes(paths, kind, period)
    context.log.info(f"Wrote {len(written)} {kind} reports for {context.partition_key}")
    alerted = send_report_alert(paths, kind, period, written, context.run_id)
    return dg.MaterializeResult(
        metadata={
            "reports": len(written),
            "webhook_told": alerted,
            "folder": dg.MetadataValue.path(str(written[0].parent)),
            "global_report": dg.MetadataValue.path(str(written[0])),
        }
    )


def _report_asset(
    kind: str, partitions_def: dg.PartitionsDefinition, period: str
) -> dg.AssetsDefinition:
    @dg.asset(
        key=["reports", f"{kind}_reports"],
        deps=[PUBLISHED_MARTS],
        partitions_def=partitions_def,
        group_name=REPORTS_GROUP,
        kinds={"html"},
        description=f"The {kind} report of every scope for one {period}, under reports/.",
    )
    def reports(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        return _write(context, kind)

    return reports


daily_reports = _report_asset("daily", report_days, "shop-local day")
weekly_reports = _report_asset("weekly", report_weeks, "ISO week (its Monday the key)")
