"""The short message the alert webhook gets once a period's reports are written: the whole
seller's headline KPIs, where the change came from, and the report's path on disk.

Built only from the marts' figures and LinkStar's own names (lib/alerts.py's rule), in
English like every alert; the report itself carries the configured language.
"""

from __future__ import annotations

from pathlib import Path

from linkstar_pipeline.lib.alerts import Alert
from linkstar_pipeline.lib.reports.figures import ReportFigures
from linkstar_pipeline.lib.reports.markup import percent

_COMPARED = {
    "previous_day": "vs previous day",
    "same_weekday_last_week": "vs same weekday last week",
    "previous_week": "vs previous week",
    "four_weeks_before": "vs 4 weeks before",
}


def report_alert(figures: ReportFigures, report: Path, written: int, run_id: str | None) -> Alert:
    comparison = figures.request.comparisons[0]
    lines = [
        _headline("GMV", figures, "gmv", comparison, f" {figures.reporting_currency}", 2),
        _headline("Orders", figures, "orders", comparison, "", 0),
    ]
    main = figures.changes[("gmv", comparison)]
    if main.split_status == "complete":
        scope = figures.shop_names.get(main.bottleneck_sub_scope, main.bottleneck_sub_scope)
        lines.append(
            f"Largest drag on GMV: {main.bottleneck_factor or 'none'} (factor), "
            f"{(main.bottleneck_channel or 'none').replace('_', ' ')} (channel), {scope or 'none'} (scope)"
        )
    lines.append(f"Report: {report}")
    lines.append(f"{written} {figures.request.kind} reports (every scope) in {report.parent}")
    kind = "Daily" if figures.request.kind == "daily" else "Weekly"
    period = str(figures.period_start)
    if figures.period_end != figures.period_start:
        period += f" – {figures.period_end}"
    return Alert("report", f"{kind} report {period} is ready", lines, run_id)


def _headline(
    name: str, figures: ReportFigures, metric: str, comparison: str, unit: str, places: int
) -> str:
    change = figures.changes[(metric, comparison)]
    if change.current is None:
        return f"{name}: unknown (no FX rate for a shop day)"
    text = f"{name} {change.current:,.{places}f}{unit}"
    if change.change is None:
        return text
    return (
        f"{text}: {change.change:+,.{places}f} ({percent(change.change, change.previous)}) "
        f"{_COMPARED[comparison]}"
    )
