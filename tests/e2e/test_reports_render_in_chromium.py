"""`linkstar report` pages on the shared e2e warehouse, opened in headless Chromium (Debian's
package; `.ci/run` installs it): each loads with no console message and no sideways scrolling at
390 px (a phone) and 1280 px, needs no network, shows the marts' figures, and a scope's report
shows only that scope's shops.

Headless Chromium will not make a window narrower than 500 px, so the page is loaded in an
iframe of the width under test (srcdoc: same origin as the harness), whose script writes the
page's scroll and client widths onto the harness's <body>; `--dump-dom` prints it, and
`--enable-logging=stderr` prints every console message (none expected). No DevTools client.
Each report is written from the shared serving database through a temporary LINKSTAR_HOME whose
serving/ is the shared one (reports/ stays in the temporary home).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from linkstar_pipeline.lib.paths import LinkstarPaths
from linkstar_pipeline.lib.reports import ReportRequest, Scope, week_start, write_report
from tests.conftest import AS_OF

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
_HARNESS = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="page" style="width:{width}px;height:900px;border:0" srcdoc="{page}"></iframe>
<script>
window.addEventListener('load', () => {{
  const page = document.getElementById('page').contentDocument.documentElement;
  document.body.setAttribute('data-scroll-width', page.scrollWidth);
  document.body.setAttribute('data-client-width', page.clientWidth);
}});
</script></body></html>"""


class _Page(HTMLParser):
    """data-figure → data-value, and the attributes of <body>."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: dict[str, str] = {}
        self.body: dict[str, str | None] = {}
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "data-figure" in attributes:
            self.figures[attributes["data-figure"]] = attributes.get("data-value") or ""
        if tag == "body":
            self.body = attributes
        for name in ("src", "href"):
            if attributes.get(name):
                self.external.append(attributes[name])


def _widths_in_chromium(page: Path, width: int, tmp_path: Path) -> tuple[int, int]:
    """(scroll width, client width) of the page loaded `width` px wide; fails on any console
    message (a script error, a resource that did not load)."""
    assert CHROMIUM, "Chromium is missing: apt-get install -y chromium (as .ci/run does)"
    harness = tmp_path / f"{page.stem}-{width}.html"
    source = html.escape(page.read_text(encoding="utf-8"), quote=True)
    harness.write_text(_HARNESS.format(width=width, page=source), encoding="utf-8")
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            f"--user-data-dir={tmp_path / 'chromium-profile'}",
            "--window-size=1400,1000",
            "--dump-dom",
            harness.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    assert not console, console
    body = _Page()
    body.feed(result.stdout)
    return int(body.body["data-scroll-width"]), int(body.body["data-client-width"])


@pytest.fixture(scope="module")
def report_home(loaded_warehouse, tmp_path_factory) -> LinkstarPaths:
    home, *_ = loaded_warehouse
    own = tmp_path_factory.mktemp("report-home")
    (own / "serving").symlink_to(home / "serving", target_is_directory=True)
    return LinkstarPaths(home=own)


def _marts(paths: LinkstarPaths, sql: str, parameters: list) -> list[tuple]:
    connection = duckdb.connect(str(paths.serving_database), read_only=True)
    try:
        return connection.execute(sql, parameters).fetchall()
    finally:
        connection.close()


REPORTS = [
    ("daily", None, "global", "en", (390, 1280)),
    ("weekly", "2026-W46", "global", "zh", (390,)),
    ("daily", None, "market:US", "en", (390,)),
    ("daily", None, "region:sea", "zh", (390,)),
    ("daily", None, "shop:7494127735603349013", "en", (390,)),
]


@pytest.mark.parametrize(("kind", "week", "scope", "language", "widths"), REPORTS)
def test_a_report_loads_without_sideways_scrolling_and_shows_the_marts_figures(
    report_home, tmp_path, kind, week, scope, language, widths
):
    request = ReportRequest(
        kind=kind,
        scope=Scope.parse(scope),
        language=language,
        period_start=week_start(week) if week else None,
    )
    page = write_report(report_home, request)
    assert page.parent == report_home.home / "reports"
    for width in widths:
        scroll_width, client_width = _widths_in_chromium(page, width, tmp_path)
        assert (scroll_width, client_width) == (width, width), "no sideways scrolling"
    shown = _Page()
    shown.feed(page.read_text(encoding="utf-8"))
    assert shown.external == [], "a report must need no network"
    period = page.name.split("-", 1)[1][:10]
    _assert_figures_equal_the_marts(report_home, request, period, shown.figures)
    _assert_items_equal_the_marts(report_home, request, period, shown.figures)
    _assert_movers_equal_the_marts(report_home, request, period, shown.figures)
    _assert_people_and_stock_equal_the_marts(report_home, request, period, shown.figures)
    _assert_only_the_scopes_shops_are_named(report_home, request, page.read_text(encoding="utf-8"))


def _assert_only_the_scopes_shops_are_named(paths, request, text: str) -> None:
    column = {"seller": "'ALL'", "region": "region_id", "market": "market", "shop": "shop_id"}
    others = _marts(
        paths,
        f"select shop_id, shop_name from marts.dim_shops where {column[request.scope.kind]} <> ?",
        [request.scope.id],
    )
    named = [(shop_id, name) for shop_id, name in others if shop_id in text or name in text]
    assert not named, f"{request.scope} report names shops outside it: {named}"


def _assert_figures_equal_the_marts(paths, request, period, figures: dict[str, str]) -> None:
    scope = request.scope
    rows = _marts(
        paths,
        f"select metric, comparison, current_value, change, traffic_contribution, "
        f"conversion_contribution, aov_contribution, video_contribution, live_contribution, "
        f"product_card_contribution from marts.{request.mart} "
        "where scope_type = ? and scope_id = ? and period_start = ?",
        [scope.kind, scope.id, period],
    )
    assert rows, (scope, period)
    tiles = {f"{m}.{c}.change" for m in ("gmv", "orders") for c in request.comparisons}
    assert tiles <= set(figures), "every comparison, month on month too, is on the tiles"
    compared = {f"{metric}.{comparison}.change" for metric, comparison, *_ in rows}
    assert all(figures[name] == "" for name in tiles - compared), "none before the history"

    def value_of(name: str) -> Decimal | None:  # an empty figure is a null in the mart
        return Decimal(figures[name]) if figures[name] else None

    for metric, comparison, current, change, *parts in rows:
        assert value_of(f"{metric}.current") == current
        assert value_of(f"{metric}.{comparison}.change") == change
        if metric == "gmv" and comparison == request.comparisons[0] and parts[0] is not None:
            names = ("traffic", "conversion", "aov", "video", "live", "product_card")
            shown = [Decimal(figures[f"drivers.{name}"]) for name in names]
            assert shown == parts
    ((aov, conversion),) = _marts(
        paths,
        f"select current_aov_amount_reporting, current_conversion_rate from marts.{request.mart} "
        "where scope_type = ? and scope_id = ? and period_start = ? and metric = 'gmv' "
        "and comparison = ?",
        [scope.kind, scope.id, period, request.comparisons[0]],
    )
    assert Decimal(figures["aov.current"]) == aov
    assert Decimal(figures["conversion.current"]) == conversion
    column = {"seller": "'ALL'", "region": "region_id", "market": "market", "shop": "shop_id"}
    scope_shops = {
        shop_id
        for (shop_id,) in _marts(
            paths, f"select shop_id from marts.dim_shops where {column[scope.kind]} = ?", [scope.id]
        )
    }
    shown_shops = {name.split(".")[1] for name in figures if name.startswith("shop.")}
    assert shown_shops <= scope_shops
    if len(scope_shops) > 1:
        assert shown_shops, "a scope of several shops lists its shops' changes"
    marks = ", ".join("?" * len(scope_shops))
    ((orders,),) = _marts(
        paths,
        "select sum(orders) from marts.kpi_funnel_daily where channel = 'all' "
        f"and shop_id in ({marks}) and local_date between ? and ?",
        [*scope_shops, period, _period_end(request, period)],
    )
    assert Decimal(figures["funnel.orders"]) == orders


def _assert_movers_equal_the_marts(paths, request, period, figures: dict[str, str]) -> None:
    """A daily and a weekly report name the three creators, the three LIVE hosts and the three
    products with the largest parts (falls or rises) of the change they explain, each with its
    kpi_drivers_items_daily / _weekly part."""
    shown = {name: value for name, value in figures.items() if name.startswith("movers.")}
    rows = _marts(
        paths,
        "select split_kind, item_id, contribution_amount_reporting "
        f"from marts.kpi_drivers_items_{request.kind} "
        "where scope_type = ? and scope_id = ? and period_start = ? and comparison = ?",
        [request.scope.kind, request.scope.id, period, request.comparisons[0]],
    )
    largest = {}
    for kind in ("creator", "host", "product"):
        parts = sorted(
            ((item, part) for split, item, part in rows if split == kind),
            key=lambda p: (-abs(p[1]), p[1], p[0]),
        )
        assert parts, f"the e2e warehouse splits the change of {request.scope} by {kind}"
        largest.update({f"movers.{kind}.{item}": str(part) for item, part in parts[:3]})
    assert shown == largest


# kind → item → (mart, filter, period column, key, GMV, the figure beside it)
ITEMS = {
    "daily": {
        "videos": ("fct_videos_daily", "true", "local_date", "video_id",
                   "attributed_gmv_amount_reporting", "views"),
        "creatives": ("kpi_ads_daily", "level = 'ad'", "local_date", "ad_id",
                      "attributed_gmv_amount_reporting", "spend_amount_reporting"),
    },
    "weekly": {
        "videos": ("kpi_top_content", "true", "week_start", "video_id",
                   "attributed_gmv_amount_reporting", "views"),
        "creatives": ("kpi_top_creatives", "true", "week_start", "ad_id",
                      "attributed_gmv_amount_reporting", "spend_amount_reporting"),
    },
}  # fmt: skip
LIVE = ("kpi_live_sessions", "true", "local_date", "live_id", "gmv_amount_reporting", "viewers")


def _scope_shops(paths, scope) -> list[str]:
    column = {"seller": "'ALL'", "region": "region_id", "market": "market", "shop": "shop_id"}
    sql = f"select shop_id from marts.dim_shops where {column[scope.kind]} = ?"
    return [shop_id for (shop_id,) in _marts(paths, sql, [scope.id])]


def _assert_items_equal_the_marts(paths, request, period, figures: dict[str, str]) -> None:
    """Each shown video, LIVE session and creative is a row of the scope's shops in the period
    with the mart's figures; the first shown is the period's highest GMV, and the highest
    three are all shown."""
    shops = _scope_shops(paths, request.scope)
    marks = ", ".join("?" * len(shops))
    for item, (mart, where, column, key, gmv, beside) in {
        **ITEMS[request.kind],
        "live": LIVE,
    }.items():
        rows = _marts(
            paths,
            f"select {key}, {gmv}, {beside} from marts.{mart} where {where} "
            f"and shop_id in ({marks}) and {column} between ? and ? and {gmv} is not null "
            f"order by {gmv} desc",
            [*shops, period, _period_end(request, period)],
        )
        values = {str(k): (g, b) for k, g, b in rows}
        shown = {name.split(".")[1] for name in figures if name.startswith(f"{item}.")}
        assert shown <= set(values), (item, shown - set(values))
        for k in shown:
            assert Decimal(figures[f"{item}.{k}.gmv"]) == values[k][0], (item, k)
            assert Decimal(figures[f"{item}.{k}.{beside}"]) == values[k][1], (item, k)
        highest = (
            {str(k) for k, g, _ in rows if g >= rows[min(2, len(rows) - 1)][1]} if rows else set()
        )
        assert len(highest) > 3 or highest <= shown, (item, highest - shown)
        assert bool(shown) == bool(rows), item


def _assert_people_and_stock_equal_the_marts(paths, request, period, figures) -> None:
    """Scores are the scope's teams' people's kpi_scorecards scores of the month; everyone off
    track in kpi_pacing is named with the mart's figures; the stock-out count and rows are
    kpi_inventory_risk's newest day for the SKUs the scope's shops sell."""
    shops = _scope_shops(paths, request.scope)
    marks = ", ".join("?" * len(shops))
    month = date.fromisoformat(_period_end(request, period)).replace(day=1)
    teams = (
        ""
        if request.scope.kind == "seller"
        else (f"and team_id in (select team_id from marts.dim_shops where shop_id in ({marks}))")
    )
    parameters = [] if request.scope.kind == "seller" else shops
    scores = _marts(
        paths,
        "select distinct subject_id, team_id, score from marts.kpi_scorecards "
        f"where subject_kind = 'person' and month_start = ? {teams}",
        [month, *parameters],
    )
    assert scores, "the e2e warehouse scores people every month"
    shown = {name for name in figures if name.startswith("score.")}
    assert shown == {f"score.{person}.{team}" for person, team, _ in scores}
    for person, team, score in scores:
        assert figures[f"score.{person}.{team}"] == ("" if score is None else str(score))
    people = sorted({person for person, _, _ in scores})
    behind = _marts(
        paths,
        "select scope_id, kpi, mtd_achievement_pct, forecast_achievement_pct, remaining_to_target "
        "from marts.kpi_pacing where scope = 'person' and month_start = ? and on_track = false "
        f"and scope_id in ({', '.join('?' * len(people))})",
        [month, *people],
    )
    shown = {name.rsplit(".", 1)[0] for name in figures if name.startswith("behind.")}
    assert shown == {f"behind.{person}.{kpi}" for person, kpi, *_ in behind}
    for person, kpi, *values in behind:
        names = ("mtd_achievement_pct", "forecast_achievement_pct", "remaining_to_target")
        for name, value in zip(names, values, strict=True):
            assert figures[f"behind.{person}.{kpi}.{name}"] == ("" if value is None else str(value))
    risks = _marts(
        paths,
        "select seller_sku, warehouse, days_of_cover from marts.kpi_inventory_risk as risk "
        "where local_date = (select max(local_date) from marts.kpi_inventory_risk) "
        "and (is_stock_out_risk or is_stocked_out) and (seller_sku, warehouse) in "
        "(select (seller_sku, stock_warehouse) from marts.dim_skus "
        f"where shop_id in ({marks}))",
        shops,
    )
    assert int(figures["stock.at_risk"]) == len(risks)
    cover = {f"stock.{sku}@{warehouse}.days_of_cover": days for sku, warehouse, days in risks}
    shown = {name for name in figures if name.endswith(".days_of_cover")}
    assert shown and shown <= set(cover) if risks else not shown
    for name in shown:
        assert figures[name] == ("" if cover[name] is None else str(cover[name]))


def _period_end(request: ReportRequest, period: str) -> str:
    return str(date.fromisoformat(period) + timedelta(days=0 if request.kind == "daily" else 6))


def test_the_daily_report_asset_writes_every_scopes_report_for_its_partition(
    report_home, monkeypatch, webhook_receiver
):
    """... and tells the alert webhook, signed as its receiver checks, with the whole seller's
    headline KPIs and the global report's path. The weekly asset runs the same code with the
    other kind (one materialization only: each costs seconds of the suite)."""
    import dagster as dg

    from linkstar_pipeline.defs.reports.assets import daily_reports

    url, bodies, _, _ = webhook_receiver
    monkeypatch.setenv("LINKSTAR_HOME", str(report_home.home))
    monkeypatch.setenv("LINKSTAR_REPORT_LANGUAGE", "zh")
    monkeypatch.setenv("LINKSTAR_ALERT_WEBHOOK_URL", url)
    monkeypatch.setenv("LINKSTAR_ALERT_WEBHOOK_FORMAT", "feishu")
    monkeypatch.setenv("LINKSTAR_ALERT_WEBHOOK_SECRET", "report-signing-secret")
    scopes = _marts(
        report_home,
        "select count(distinct region_id) + count(distinct market) + count(*) + 1 from marts.dim_shops",
        [],
    )[0][0]
    result = dg.materialize([daily_reports], partition_key="2026-11-18")
    assert result.success
    written = sorted((report_home.home / "reports").glob("daily-2026-11-18-*-zh.html"))
    assert len(written) == scopes, [path.name for path in written]
    global_report = report_home.home / "reports" / "daily-2026-11-18-global-zh.html"
    assert global_report in written
    ((body,),) = [bodies]
    key = f"{body['timestamp']}\nreport-signing-secret".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    text = body["content"]["text"].splitlines()
    assert text[0] == "[LinkStar] Daily report 2026-11-18 is ready"
    assert f"Report: {global_report}" in text
    rows = _marts(
        report_home,
        "select metric, current_value, change from marts.kpi_drivers_daily "
        "where scope_type = 'seller' and period_start = '2026-11-18' "
        "and comparison = 'previous_day'",
        [],
    )
    (gmv, gmv_change), (orders, orders_change) = (
        next(row[1:] for row in rows if row[0] == metric) for metric in ("gmv", "orders")
    )
    assert text[1].startswith(f"GMV {gmv:,.2f} USD: {gmv_change:+,.2f} (")
    assert text[2].startswith(f"Orders {orders:,.0f}: {orders_change:+,.0f} (")


def test_a_publish_requests_the_newest_published_day_and_whole_week(report_home, monkeypatch):
    import dagster as dg

    from linkstar_pipeline.defs.reports.sensors import reports_after_publish
    from linkstar_pipeline.defs.serving.assets import PUBLISHED_MARTS

    monkeypatch.setenv("LINKSTAR_HOME", str(report_home.home))
    ((published_day,),) = _marts(
        report_home,
        "select max(local_date) from (select local_date from marts.kpi_shop_daily "
        "group by local_date having count(visitors) = count(*))",
        [],
    )
    # ... and that has ended in every shop's time zone at the pipeline's (pinned) clock.
    zones = [
        ZoneInfo(zone)
        for (zone,) in _marts(report_home, "select time_zone from marts.dim_shops", [])
    ]
    finished_day = min(AS_OF.astimezone(zone).date() for zone in zones) - timedelta(days=1)
    newest_day = min(published_day, finished_day)
    newest_week = newest_day - timedelta(
        days=newest_day.weekday() + (0 if newest_day.weekday() == 6 else 7)
    )
    instance = dg.DagsterInstance.ephemeral()

    def after_a_run_materializing(key: dg.AssetKey):
        @dg.asset(key=key)
        def stand_in() -> None:  # the sensor reads the run's materializations only
            return None

        result = dg.materialize([stand_in], instance=instance)
        context = dg.build_run_status_sensor_context(
            sensor_name=reports_after_publish.name,
            dagster_event=result.all_events[-1],
            dagster_instance=instance,
            dagster_run=instance.get_run_by_id(result.run_id),
        )
        return reports_after_publish(context)

    requests = after_a_run_materializing(PUBLISHED_MARTS)
    assert {(r.job_name, r.partition_key) for r in requests} == {
        ("write_daily_reports", newest_day.isoformat()),
        ("write_weekly_reports", newest_week.isoformat()),
    }
    skipped = after_a_run_materializing(dg.AssetKey(["marts", "kpi_shop_daily"]))
    assert isinstance(skipped, dg.SkipReason)
