"""Daily and weekly HTML reports per scope, written from the published marts under
$LINKSTAR_HOME/reports/ (`linkstar report`)."""

from __future__ import annotations

import logging
import os
from datetime import date
from pathlib import Path

from linkstar_pipeline.lib.alerts import AlertSettings, AlertSettingsError, send
from linkstar_pipeline.lib.paths import LinkstarPaths
from linkstar_pipeline.lib.reports.digest import report_alert
from linkstar_pipeline.lib.reports.figures import all_scopes, newest_period, read_figures
from linkstar_pipeline.lib.reports.html import render
from linkstar_pipeline.lib.reports.request import ReportError, ReportRequest, Scope, week_start

log = logging.getLogger(__name__)

__all__ = [
    "ReportError",
    "ReportRequest",
    "Scope",
    "default_language",
    "newest_periods",
    "send_report_alert",
    "week_start",
    "write_all_scopes",
    "write_report",
]


def default_language() -> str:
    """LINKSTAR_REPORT_LANGUAGE (en or zh), default en."""
    return os.environ.get("LINKSTAR_REPORT_LANGUAGE", "en")


def _published(paths: LinkstarPaths) -> None:
    if not paths.serving_database.exists():
        raise ReportError(
            f"nothing is published in {paths.serving_dir} yet; run `linkstar run --with-sandbox` first"
        )


def newest_periods(paths: LinkstarPaths) -> tuple[date | None, date | None]:
    """(newest day with published shop analytics, newest whole ISO week) of the marts."""
    _published(paths)
    return newest_period(paths.serving_database, "daily"), newest_period(
        paths.serving_database, "weekly"
    )


def write_all_scopes(paths: LinkstarPaths, kind: str, period: date) -> list[Path]:
    """The report of every scope for one period; the global one first. A scope that fails is
    named in the error raised once every other scope's report is written."""
    _published(paths)
    written, failures = [], []
    for scope in all_scopes(paths.serving_database):
        request = ReportRequest(kind, scope, default_language(), period)
        try:
            written.append(write_report(paths, request))
        except ReportError as error:
            failures.append(f"{scope.kind} {scope.id}: {error}")
    if failures:
        raise ReportError(
            f"{len(failures)} {kind} report(s) for {period} not written: " + "; ".join(failures)
        )
    return written


def write_report(paths: LinkstarPaths, request: ReportRequest) -> Path:
    """Render the report and write it as reports/<kind>-<period>-<scope>-<language>.html."""
    _published(paths)
    figures = read_figures(paths.serving_database, request)
    folder = paths.home / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{request.kind}-{figures.period_start}-{request.scope.slug}-{request.language}.html"
    target = folder / name
    partial = target.with_suffix(".html.part")
    partial.write_text(render(figures), encoding="utf-8")
    partial.replace(target)  # never a half-written report at the path printed
    return target


def send_report_alert(
    paths: LinkstarPaths, kind: str, period: date, written: list[Path], run_id: str | None
) -> bool:
    """Tell the alert webhook (when configured) that the period's reports are written: the
    whole seller's headline KPIs and the global report's path. True when it took the message;
    a webhook that fails never fails the reports (lib/alerts.py)."""
    try:
        settings = AlertSettings.from_env()
    except AlertSettingsError as error:
        log.warning("report summary not sent: %s", error)
        return False
    if settings.url is None:
        return False
    request = ReportRequest(kind, Scope("seller", "ALL"), default_language(), period)
    figures = read_figures(paths.serving_database, request)
    return send(report_alert(figures, written[0], len(written), run_id), settings)
