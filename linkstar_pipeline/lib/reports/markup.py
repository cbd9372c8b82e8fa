"""The pieces every card of a report is made of: formatted numbers that carry their exact mart
value (`data-figure` / `data-value`, which the tests read) and the card itself."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from linkstar_pipeline.lib.reports.figures import ratio


def fmt(value: Decimal | int | None, places: int = 2) -> str:
    if value is None:
        return "–"
    return f"{Decimal(value):,.{places}f}"


def figure(name: str, value: Decimal | int | None, places: int = 2, signed: bool = False) -> str:
    text = fmt(value, places)
    if signed and value is not None and value > 0:
        text = "+" + text
    shown = "" if value is None else str(value)
    return f'<span data-figure="{escape(name)}" data-value="{escape(shown)}">{text}</span>'


def percent(change: Decimal | None, base: Decimal | None) -> str:
    share = ratio(change, base, 4)
    return "–" if share is None else f"{share * 100:+.1f}%"


def card(title: str, body: str) -> str:
    return f'<div class="card"><h2>{escape(title)}</h2>{body}</div>'
