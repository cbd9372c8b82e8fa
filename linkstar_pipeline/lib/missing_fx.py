"""Shop days that use a currency with no FX rate known at all: an integrity failure (issue 14).

A rate carried forward from days ago still converts (recon_daily's `fx_rate_age` warns when
it is old). A day before a currency's first known rate has nothing to carry: its reporting
amounts are null, and every total across shops (markets, the seller, headquarters' KPIs)
would leave those shops out. kpi_shop_daily already says which currency is missing, and since
when, in `reporting_null_reason` (the shop's, the reporting currency, or one its ads are paid
in; macro `no_rate_reason`), so that column is the one definition read here. The asset check
in defs/trust/integrity.py blocks the publish on any such day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from linkstar_pipeline.lib.paths import LinkstarPaths
from linkstar_pipeline.lib.warehouse_lock import read_only_warehouse

_UNRATED_SHOP_DAYS = """
    select days.reporting_null_reason, days.shop_id, shops.shop_name, days.local_date
    from marts.kpi_shop_daily as days
    left join marts.dim_shops as shops on days.shop_id = shops.shop_id
    where days.reporting_null_reason is not null
    order by 1, 2, 4"""


@dataclass(frozen=True)
class UnratedShop:
    """One shop's days without a rate of one currency; `reason` names the currency and the
    day its first rate is known ('no FX rate for MYR before 2026-11-10', or '... yet')."""

    reason: str
    shop_id: str
    shop_name: str | None
    days: tuple[date, ...]

    def line(self) -> str:
        name = f" ({self.shop_name})" if self.shop_name else ""
        count = f"{len(self.days)} day{'s' if len(self.days) > 1 else ''}"
        return f"{self.reason}: shop {self.shop_id}{name} on {count}, {day_ranges(self.days)}"


class MissingFxRateError(RuntimeError):
    """Shop days use a currency with no FX rate known: the publish is withheld."""

    def __init__(self, unrated: list[UnratedShop]) -> None:
        self.unrated = unrated
        self.shop_days = sum(len(shop.days) for shop in unrated)
        super().__init__(
            f"{self.shop_days} shop days use a currency with no FX rate known, so their amounts "
            "in the reporting currency would be missing from every total; the marts were built "
            "but not published (the previous publish stays): "
            + "; ".join(shop.line() for shop in unrated)
            + ". Load the rates for those days (the ECB history; for a currency the ECB does "
            "not quote, dbt_project/seeds/fx_supplementary_rates.csv) and run again."
        )


def unrated_shop_days(paths: LinkstarPaths) -> list[UnratedShop]:
    """Every shop and currency with days that have no rate, read from the built warehouse."""
    with read_only_warehouse(paths) as connection:
        rows = connection.execute(_UNRATED_SHOP_DAYS).fetchall()
    days: dict[tuple[str, str, str | None], list[date]] = defaultdict(list)
    for reason, shop_id, shop_name, local_date in rows:
        days[(reason, shop_id, shop_name)].append(local_date)
    return [UnratedShop(*key, tuple(found)) for key, found in days.items()]


def day_ranges(days: tuple[date, ...]) -> str:
    """Sorted days as runs of consecutive days: '2026-11-01..2026-11-03, 2026-11-05'."""
    runs: list[list[date]] = []
    for day in days:
        if runs and day - runs[-1][-1] == timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(f"{run[0]}..{run[-1]}" if len(run) > 1 else run[0].isoformat() for run in runs)
