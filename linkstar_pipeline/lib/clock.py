"""The pipeline's one notion of "now": the wall clock, or a moment pinned by `LINKSTAR_NOW`.

Everything that depends on today — the default refresh range, which ads days are final, the
day a snapshot is filed under, when a KPI configuration version landed (and so which month it
scores), how far FX rates are carried forward in dbt — asks this module, never
`datetime.now()` itself. Pinning one variable therefore replays the pipeline as of any moment:
the tests pin it to the sandbox's data clock so they give the same answer on any date, and an
operator can rerun a night as it would have run then. The dbt side reads the same variable
(macro `pipeline_now`), so Python and SQL never disagree on the date.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, date, datetime

CLOCK_VARIABLE = "LINKSTAR_NOW"


class ClockSettingError(ValueError):
    """`LINKSTAR_NOW` holds something that is not a moment."""


def pinned_now(environ: Mapping[str, str] | None = None) -> datetime | None:
    """The pinned moment (UTC), or None when the pipeline follows the wall clock.

    Accepts ISO 8601 (`2026-11-20T12:00:00Z`, `2026-11-20 12:00+08:00`, `2026-11-20`); a moment
    without an offset is UTC, like every time the pipeline stores.
    """
    env = os.environ if environ is None else environ
    raw = (env.get(CLOCK_VARIABLE) or "").strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)  # 3.11 reads a trailing Z
    except ValueError:
        raise ClockSettingError(
            f"{CLOCK_VARIABLE}={raw!r} is not an ISO 8601 moment "
            "(e.g. 2026-11-20T12:00:00Z); unset it to follow the wall clock"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def pipeline_now(environ: Mapping[str, str] | None = None) -> datetime:
    """Now, in UTC: the pinned moment if `LINKSTAR_NOW` is set, else the wall clock."""
    return pinned_now(environ) or datetime.now(UTC)


def pipeline_today(environ: Mapping[str, str] | None = None) -> date:
    """Today's UTC day by the pipeline's clock."""
    return pipeline_now(environ).date()
