"""The report's cards of items and people: top and bottom videos, LIVE sessions and creatives,
the role scorecards with who is behind target, the SKUs at risk of a stock-out, and the
creators and products that moved GMV (inside the drivers card)."""

from __future__ import annotations

from html import escape
from itertools import groupby

from linkstar_pipeline.lib.reports.figures import ReportFigures
from linkstar_pipeline.lib.reports.markup import card, figure
from linkstar_pipeline.lib.reports.rankings import Ranking

STOCK_SHOWN = 8
_TITLES = {"videos": "videos", "live": "live_sessions", "creatives": "creatives"}
_DOWN = ' class="down"'
_PLACES = {"views": 0, "viewers": 0, "spend_amount_reporting": 2}


def rankings_card(figures: ReportFigures, words: dict[str, str]) -> str:
    body = "".join(
        f'<div class="muted">{escape(words[_TITLES[name]])}</div>' + _ranking(name, ranking, words)
        for name, ranking in figures.rankings.items()
    )
    return card(words["items"], body)


def _ranking(name: str, ranking: Ranking, words: dict[str, str]) -> str:
    if not ranking.top:
        return f"<p>{escape(words['none_in_period'])}</p>"
    places = _PLACES[ranking.attention]
    parts = []
    for side, items in (("top", ranking.top), ("bottom", ranking.bottom)):
        if not items:
            continue
        rows = "".join(
            f"<li>{escape(item.label)}: {figure(f'{name}.{item.key}.gmv', item.gmv)} · "
            f"{escape(words[ranking.attention])} "
            f"{figure(f'{name}.{item.key}.{ranking.attention}', item.attention, places)}</li>"
            for item in items
        )
        parts.append(f"<div>{escape(words[side])}</div><ul>{rows}</ul>")
    if ranking.without_rate:
        parts.append(
            f'<p class="muted">{escape(words["without_rate"].format(n=ranking.without_rate))}</p>'
        )
    return "".join(parts)


def people_card(figures: ReportFigures, words: dict[str, str]) -> str:
    if not figures.people:
        return card(words["scorecards"], f"<p>{escape(words['no_scorecards'])}</p>")
    body = []
    for role, people in groupby(figures.people, key=lambda p: p.role):
        scores = "".join(
            f"<li>{escape(p.person)} ({escape(p.team)}): "
            f"{figure(f'score.{p.person}.{p.team}', p.score, 1)} · "
            f"{escape(words['rank'])} {p.rank_in_peer_group or '–'}/{p.peers}</li>"
            for p in people
        )
        late = (
            "".join(
                f'<li class="down">{escape(b.person)} · {escape(b.kpi)}: '
                f"{figure(f'behind.{b.person}.{b.kpi}.mtd_achievement_pct', b.mtd_achievement_pct, 1)}% "
                f"{escape(words['of_target_so_far'])}, {escape(words['forecast'])} "
                f"{figure(f'behind.{b.person}.{b.kpi}.forecast_achievement_pct', b.forecast_achievement_pct, 1)}%, "
                f"{escape(words['remaining'])} "
                f"{figure(f'behind.{b.person}.{b.kpi}.remaining_to_target', b.remaining_to_target)}</li>"
                for b in sorted(
                    (b for b in figures.behind if b.role == role),
                    key=lambda b: (b.forecast_achievement_pct is None, b.forecast_achievement_pct),
                )
            )
            or f'<li class="up">{escape(words["nobody_behind"])}</li>'
        )
        body.append(
            f"<div><strong>{escape(words.get(role, role))}</strong></div><ul>{scores}</ul>"
            f'<div class="muted">{escape(words["behind_target"])}</div><ul>{late}</ul>'
        )
    return card(words["scorecards"], "".join(body))


def stock_card(figures: ReportFigures, words: dict[str, str]) -> str:
    if figures.stock_as_of is None:
        return card(words["stock"], f"<p>{escape(words['no_stock'])}</p>")
    risks = figures.stock_risks
    head = (
        f'<p class="muted">{escape(words["stock_as_of"].format(day=figures.stock_as_of))} '
        f"{figure('stock.at_risk', len(risks), 0)}</p>"
    )
    rows = "".join(
        f"<li{_DOWN if r.is_stocked_out else ''}>{escape(r.seller_sku)} · "
        f"{escape(r.warehouse)}: {escape(words['on_hand'])} "
        f"{figure(f'stock.{r.seller_sku}@{r.warehouse}.units_on_hand', r.units_on_hand, 0)}, "
        f"{escape(words['days_of_cover'])} "
        f"{figure(f'stock.{r.seller_sku}@{r.warehouse}.days_of_cover', r.days_of_cover, 1)}"
        f"{' → ' + str(r.forecast_stock_out_date) if r.forecast_stock_out_date else ''}</li>"
        for r in risks[:STOCK_SHOWN]
    )
    more = (
        f'<p class="muted">{escape(words["more"].format(n=len(risks) - STOCK_SHOWN))}</p>'
        if len(risks) > STOCK_SHOWN
        else ""
    )
    return card(words["stock"], head + (f"<ul>{rows}</ul>" if rows else "") + more)


def movers_list(figures: ReportFigures, words: dict[str, str]) -> str:
    """The creators and LIVE hosts that moved the video and LIVE channels' GMV most and the
    products that moved the whole GMV most, each with its part of the change
    (kpi_drivers_items_*)."""
    parts = []
    for kind, items in figures.movers.items():
        if not items:
            continue
        rows = "".join(
            f"<li>{escape(item.name or words.get(f'{kind}_{item.item_id}', item.item_id))}: "
            f"{figure(f'movers.{kind}.{item.item_id}', item.contribution, signed=True)}</li>"
            for item in items
        )
        parts.append(f'<div class="muted">{escape(words[f"movers_{kind}"])}</div><ul>{rows}</ul>')
    return "".join(parts)
