"""A report as one self-contained HTML page: inline CSS and SVG, no script, no network.

Laid out as one column of cards that wrap to the screen (a phone's 390 px without sideways
scrolling, a desktop's width in a grid). Every figure shown from a mart carries
`data-figure` / `data-value` attributes with the exact mart value, so a test can compare the
page with the marts without parsing formatted numbers.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape
from string import Template

from linkstar_pipeline.lib.reports.cards import movers_list, people_card, rankings_card, stock_card
from linkstar_pipeline.lib.reports.figures import FUNNEL_STEPS, ReportFigures, ratio
from linkstar_pipeline.lib.reports.labels import labels
from linkstar_pipeline.lib.reports.markup import card as _card
from linkstar_pipeline.lib.reports.markup import figure, fmt, percent

_PAGE = Template(
    """<!DOCTYPE html>
<html lang="$lang">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>
*{box-sizing:border-box}
body{margin:0;padding:12px;font:15px/1.45 system-ui,-apple-system,"Segoe UI","PingFang SC","Noto Sans CJK SC",sans-serif;color:#1d2433;background:#f4f6fa;overflow-wrap:anywhere}
h1{font-size:20px;margin:4px 0}h2{font-size:16px;margin:0 0 8px}
.meta{color:#5b6475;font-size:13px;margin-bottom:12px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,300px),1fr));gap:12px}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,160px),1fr));gap:12px;margin-bottom:12px}
.card{background:#fff;border-radius:10px;padding:12px;box-shadow:0 1px 2px rgba(0,0,0,.08);min-width:0}
.value{font-size:22px;font-weight:600}
.up{color:#137333}.down{color:#b3261e}.muted{color:#5b6475;font-size:13px}
ul{margin:0;padding-left:18px}li{margin:2px 0}
svg{width:100%;height:auto;display:block}
.weakest{font-weight:600;color:#b3261e}
.status-ok{color:#137333}.status-warn,.status-not_checked{color:#9a6700}.status-stale,.status-fail,.status-error{color:#b3261e}
</style>
</head>
<body>
<h1>$title</h1>
<div class="meta">$meta</div>
<section class="tiles">$tiles</section>
<section class="grid">$sections</section>
<p class="muted">$footer</p>
</body>
</html>
"""
)


def render(figures: ReportFigures) -> str:
    words = labels(figures.request.language)
    scope = figures.request.scope
    scope_name = (
        words["seller"] if scope.kind == "seller" else figures.shop_names.get(scope.id, scope.id)
    )
    title = f"{words[figures.request.kind]} · {scope_name}"
    period = str(figures.period_start)
    if figures.period_end != figures.period_start:
        period += f" – {figures.period_end} ({figures.days_in_period} {words['days']})"
    meta = " · ".join(
        [
            f"{words['period']}: {period}",
            f"{words['scope']}: {escape(scope.kind)} {escape(scope.id)}",
            words["currency_note"].format(currency=figures.reporting_currency),
        ]
    )
    sections = [
        _drivers(figures, words),
        _funnel(figures, words),
        _shops(figures, words),
        rankings_card(figures, words),
        people_card(figures, words),
        _negatives(figures, words),
        stock_card(figures, words),
        _trust(figures, words),
    ]
    return _PAGE.substitute(
        lang="zh-CN" if figures.request.language == "zh" else "en",
        title=escape(title),
        meta=meta,
        tiles="".join(_tiles(figures, words)),
        sections="".join(sections),
        footer=escape(words["generated"]),
    )


def _tiles(figures: ReportFigures, words: dict[str, str]) -> list[str]:
    tiles = []
    for metric in ("gmv", "orders"):
        lines = []
        for comparison in figures.request.comparisons:
            change = figures.changes.get((metric, comparison))
            if change is None:  # the comparison period is before the loaded history
                lines.append(
                    f'<div class="muted">{figure(f"{metric}.{comparison}.change", None)} '
                    f"{escape(words[comparison])}: {escape(words['not_loaded'])}</div>"
                )
                continue
            css = "up" if (change.change or 0) > 0 else "down" if (change.change or 0) < 0 else ""
            lines.append(
                f'<div class="{css}">{figure(f"{metric}.{comparison}.change", change.change, signed=True)}'
                f" ({percent(change.change, change.previous)}) {escape(words[comparison])}</div>"
            )
        current = figures.changes[(metric, figures.request.comparisons[0])].current
        places = 2 if metric == "gmv" else 0
        tiles.append(
            f'<div class="card"><div class="muted">{words[metric]}</div>'
            f'<div class="value">{figure(f"{metric}.current", current, places)}</div>'
            + "".join(lines)
            + _pacing(figures, metric, words)
            + "</div>"
        )
    main = figures.changes[("gmv", figures.request.comparisons[0])]
    derived = {
        "aov": (main.aov[1], main.aov[0], 2),
        "conversion": (main.conversion_rate[1], main.conversion_rate[0], 6),
    }
    for name, (now, then, places) in derived.items():
        tiles.append(
            f'<div class="card"><div class="muted">{words[name]}</div>'
            f'<div class="value">{figure(f"{name}.current", now, places)}</div>'
            f'<div class="muted">{figure(f"{name}.comparison", then, places)} '
            f"{escape(words[figures.request.comparisons[0]])}</div></div>"
        )
    return tiles


def _pacing(figures: ReportFigures, metric: str, words: dict[str, str]) -> str:
    pacing = figures.pacing.get("gmv_reporting" if metric == "gmv" else "orders")
    if not pacing:
        return f'<div class="muted">{escape(words["no_target"])}</div>'
    state = words["on_track"] if pacing["on_track"] else words["behind"]
    return (
        f'<div class="muted">{escape(words["target"])} ({pacing["as_of_date"]}): '
        f"{figure(f'{metric}.mtd_actual', pacing['mtd_actual'])} / "
        f"{figure(f'{metric}.mtd_target', pacing['mtd_target'])} = "
        f"{figure(f'{metric}.mtd_achievement_pct', pacing['mtd_achievement_pct'], 1)}% · {state}</div>"
    )


def bar_chart(bars: list[tuple[str, Decimal | None]]) -> str:
    """Horizontal bars around a zero line: negative to the left in red, positive right."""
    known = [abs(value) for _, value in bars if value is not None]
    scale = max(known) if known and max(known) > 0 else Decimal(1)
    row, width, middle, half = 26, 340, 220, 110
    parts = [f'<svg viewBox="0 0 {width} {row * len(bars) + 4}" role="img">']
    for i, (label, value) in enumerate(bars):
        y = i * row + 4
        parts.append(
            f'<text x="0" y="{y + 15}" font-size="12" fill="#1d2433">{escape(label)}</text>'
        )
        if value is None:
            continue
        length = float(abs(value) / scale) * (half - 6)
        x = middle if value >= 0 else middle - length
        colour = "#137333" if value >= 0 else "#b3261e"
        parts.append(
            f'<rect x="{x:.1f}" y="{y + 3}" width="{length:.1f}" height="16" fill="{colour}"/>'
        )
    parts.append(
        f'<line x1="{middle}" y1="0" x2="{middle}" y2="{row * len(bars) + 4}" stroke="#5b6475"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _drivers(figures: ReportFigures, words: dict[str, str]) -> str:
    comparison = figures.request.comparisons[0]
    change = figures.changes[("gmv", comparison)]
    direction = (
        words["unchanged"]
        if not change.change
        else words["rose"]
        if change.change > 0
        else words["fell"]
    )
    text = [
        words["sentence_change"].format(
            metric=words["gmv"],
            direction=direction,
            amount=figure(
                "drivers.change", abs(change.change) if change.change is not None else None
            ),
            pct=percent(change.change, change.previous),
            comparison=escape(words[comparison]),
            current=figure("drivers.current", change.current),
        )
    ]
    if change.split_status != "complete":
        text.append(escape(words["not_split"]))
        return _card(
            words["drivers"], "<p>" + " ".join(text) + "</p>" + movers_list(figures, words)
        )
    factor_names = {"traffic": "traffic", "conversion": "conversion_factor", "aov": "aov_factor"}
    text.append(
        words["sentence_bottleneck"].format(
            factor=escape(words[factor_names[change.bottleneck_factor]])
            if change.bottleneck_factor
            else words["none"],
            channel=escape(words[change.bottleneck_channel])
            if change.bottleneck_channel
            else words["none"],
            scope=escape(
                figures.shop_names.get(
                    change.bottleneck_sub_scope, change.bottleneck_sub_scope or words["none"]
                )
            ),
        )
    )
    factors = [(words[factor_names[k]], v) for k, v in change.factors.items()]
    channels = [(words[k], v) for k, v in change.channels.items()]
    listing = "".join(
        f"<li>{escape(words[factor_names.get(k, k)])}: {figure(f'drivers.{k}', v, signed=True)}</li>"
        for k, v in {**change.factors, **change.channels}.items()
    )
    body = (
        "<p>"
        + " ".join(text)
        + "</p>"
        + f'<div class="muted">{escape(words["by_factor"])}</div>'
        + bar_chart(factors)
        + f'<div class="muted">{escape(words["by_channel"])}</div>'
        + bar_chart(channels)
        + f"<ul>{listing}</ul>"
        + f'<p class="muted">{escape(words["ads_beside"])}: '
        + figure("drivers.ads_attributed_change", change.ads_attributed_change, signed=True)
        + "</p>"
        + movers_list(figures, words)
    )
    return _card(words["drivers"], body)


def _funnel(figures: ReportFigures, words: dict[str, str]) -> str:
    items = []
    for i, step in enumerate(FUNNEL_STEPS):
        then, now = figures.funnel[step]
        rate = (
            "" if i == 0 else f" · {fmt(ratio(now, figures.funnel[FUNNEL_STEPS[i - 1]][1], 4), 4)}"
        )
        weakest = step == figures.weakest_step
        mark = f' <span class="weakest">← {escape(words["weakest"])}</span>' if weakest else ""
        item_class = ' class="weakest"' if weakest else ""
        items.append(
            f"<li{item_class}>{escape(words[step])}: "
            f"{figure(f'funnel.{step}', now, 0)} ({fmt(then, 0)}){rate}{mark}</li>"
        )
    return _card(words["funnel"], f"<ul>{''.join(items)}</ul>")


def _shops(figures: ReportFigures, words: dict[str, str]) -> str:
    body = ""
    if figures.sub_scopes:
        body += f'<div class="muted">{escape(words["sub_scopes"])}</div>' + _change_list(
            figures.sub_scopes, "sub_scope"
        )
    if len(figures.shops) > 1:
        shown = figures.shops[:3] + [s for s in figures.shops[-3:] if s not in figures.shops[:3]]
        body += f'<div class="muted">{escape(words["top_bottom"])}</div>' + _change_list(
            shown, "shop"
        )
    return _card(words["top_bottom"], body) if body else ""


def _change_list(changes, kind: str) -> str:
    return (
        "<ul>"
        + "".join(
            f"<li>{escape(c.name)}: {figure(f'{kind}.{c.scope_id}.change', c.change, signed=True)}</li>"
            for c in changes
        )
        + "</ul>"
    )


def _negatives(figures: ReportFigures, words: dict[str, str]) -> str:
    places = {"refunds": 2, "cancelled": 0, "return_requests": 0}
    items = "".join(
        f"<li>{escape(words[name])}: {figure(f'negatives.{name}', value, places[name])}</li>"
        for name, value in figures.negatives.items()
    )
    return _card(words["negatives"], f"<ul>{items}</ul>")


def _trust(figures: ReportFigures, words: dict[str, str]) -> str:
    if not figures.trust:
        return _card(
            words["trust"], f'<p class="status-not_checked">{escape(words["not_checked"])}</p>'
        )
    items = "".join(
        f"<li>{escape(source)} ({escape(words[kind])}): "
        f'<span class="status-{escape(status)}" data-figure="trust.{escape(source)}" '
        f'data-value="{escape(status)}">{escape(status)}</span></li>'
        for source, status, kind in figures.trust
    )
    return _card(words["trust"], f"<ul>{items}</ul>")
