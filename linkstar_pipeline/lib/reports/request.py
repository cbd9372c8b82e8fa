"""What a report is about: its kind (daily or weekly), period and scope, parsed from the CLI."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

SCOPE_KINDS = {"global": "seller", "region": "region", "market": "market", "shop": "shop"}
# The first is the one the drivers explain; four_weeks_before is month on month, same weekdays.
COMPARISONS = {
    "daily": ("previous_day", "same_weekday_last_week", "four_weeks_before"),
    "weekly": ("previous_week", "four_weeks_before"),
}
_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


class ReportError(Exception):
    """A report that cannot be written: says what was asked and what to do instead."""


@dataclass(frozen=True)
class Scope:
    """A drivers-mart scope: seller ('ALL'), region, market or shop."""

    kind: str
    id: str

    @classmethod
    def parse(cls, text: str) -> Scope:
        if text == "global":
            return cls("seller", "ALL")
        name, _, value = text.partition(":")
        if name not in SCOPE_KINDS or name == "global" or not value:
            raise ReportError(
                f"scope {text!r}: use global, region:<region id>, market:<market> or shop:<shop id>"
            )
        return cls(SCOPE_KINDS[name], value)

    @property
    def slug(self) -> str:
        """For the file name: 'global', 'market-US', 'region-sea'."""
        if self.kind == "seller":
            return "global"
        return f"{self.kind}-" + re.sub(r"[^a-z0-9]+", "-", self.id.lower()).strip("-")


@dataclass(frozen=True)
class ReportRequest:
    kind: str  # daily | weekly
    scope: Scope
    language: str  # en | zh
    period_start: date | None = None  # None: the newest period with published analytics

    @property
    def comparisons(self) -> tuple[str, ...]:
        return COMPARISONS[self.kind]

    @property
    def mart(self) -> str:
        return f"kpi_drivers_{self.kind}"

    @property
    def items_mart(self) -> str:
        """The creators, hosts and products that moved GMV (kpi_drivers_items_*)."""
        return f"kpi_drivers_items_{self.kind}"


def week_start(text: str) -> date:
    """'2026-W46' (ISO week) or any day of the week → its Monday."""
    match = _ISO_WEEK.match(text)
    if match:
        return date.fromisocalendar(int(match[1]), int(match[2]), 1)
    try:
        day = date.fromisoformat(text)
    except ValueError as error:
        raise ReportError(f"week {text!r}: use an ISO week (2026-W46) or a date in it") from error
    return day - timedelta(days=day.weekday())
