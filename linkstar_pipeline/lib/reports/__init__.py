"""Daily and weekly HTML reports per scope, written from the published marts under
$LINKSTAR_HOME/reports/ (`linkstar report`)."""

from __future__ import annotations

from pathlib import Path

from linkstar_pipeline.lib.paths import LinkstarPaths
from linkstar_pipeline.lib.reports.figures import read_figures
from linkstar_pipeline.lib.reports.html import render
from linkstar_pipeline.lib.reports.request import ReportError, ReportRequest, Scope, week_start

__all__ = ["ReportError", "ReportRequest", "Scope", "week_start", "write_report"]


def write_report(paths: LinkstarPaths, request: ReportRequest) -> Path:
    """Render the report and write it as reports/<kind>-<period>-<scope>-<language>.html."""
    if not paths.serving_database.exists():
        raise ReportError(
            f"nothing is published in {paths.serving_dir} yet; run `linkstar run --with-sandbox` first"
        )
    figures = read_figures(paths.serving_database, request)
    folder = paths.home / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{request.kind}-{figures.period_start}-{request.scope.slug}-{request.language}.html"
    target = folder / name
    partial = target.with_suffix(".html.part")
    partial.write_text(render(figures), encoding="utf-8")
    partial.replace(target)  # never a half-written report at the path printed
    return target
