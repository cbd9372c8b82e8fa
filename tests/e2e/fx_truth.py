"""Reporting-currency amounts computed in plain Python from the rates as published — the
sandbox's ECB files (as served at the suite's clock) and the supplementary-rates seed for the
currencies the ECB lacks — with exact decimals: amount × USD per euro ÷ currency per euro,
rounded once to the cent, half away from zero. Nothing here reads the warehouse."""

from __future__ import annotations

import csv
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from linkstar_pipeline.defs.dbt.project import DBT_PROJECT_DIR
from sandbox.ecb_fx import published_through
from tests.conftest import AS_OF

REPORTING_CURRENCY = "USD"  # dbt var reporting_currency (default)
CENT = Decimal("0.01")


def half_up(value: Decimal, places: int) -> Decimal:
    """The project's one rounding rule (macro rounded_division): ties away from zero."""
    return value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


class PublishedRates:
    """Units per euro of each currency on each day: the newest published on or before it."""

    def __init__(self, sandbox) -> None:
        served_through = published_through(AS_OF)
        self._ecb = {day: r for day, r in sandbox.fx_rates.items() if day <= served_through}
        self._supplementary: dict[str, dict[date, Decimal]] = {}
        with open(DBT_PROJECT_DIR / "seeds" / "fx_supplementary_rates.csv", newline="") as seed:
            for row in csv.DictReader(seed):
                day = date.fromisoformat(row["rate_date"])
                if day <= AS_OF.date():  # a row dated after the pipeline's today is not known yet
                    self._supplementary.setdefault(row["currency"].upper(), {})[day] = Decimal(
                        row["units_per_eur"]
                    )

    def _published(self, currency: str) -> dict[date, Decimal]:
        """Every rate of `currency` known by the pipeline's today; the ECB wins where both
        publish."""
        published = {d: r[currency] for d, r in self._ecb.items() if currency in r}
        return published or self._supplementary.get(currency, {})

    def published_on(self, day: date, currency: str) -> date | None:
        """The day the rate in force on `day` was published (None: no rate yet)."""
        days = [d for d in self._published(currency) if d <= day]
        return max(days) if days else None

    def units_per_eur(self, day: date, currency: str) -> Decimal | None:
        if currency == "EUR":
            return Decimal(1) if any(d <= day for d in self._ecb) else None
        published_on = self.published_on(day, currency)
        return None if published_on is None else self._published(currency)[published_on]

    def first_day(self, currency: str) -> date | None:
        """The first day a rate of `currency` is known (None: never yet)."""
        days = list(self._ecb) if currency == "EUR" else list(self._published(currency))
        return min(days) if days else None

    def from_the_ecb(self, currency: str) -> bool:
        """Whether the ECB quotes `currency` (else its rates come from the supplementary seed)."""
        return currency == "EUR" or any(currency in r for r in self._ecb.values())

    def converted(self, amount, day: date, source: str, target: str) -> Decimal | None:
        """The amount in `target` that day, to the cent; None before a rate it needs."""
        amount = Decimal(str(amount))
        if source == target:
            return amount
        to_units, from_units = self.units_per_eur(day, target), self.units_per_eur(day, source)
        if to_units is None or from_units is None:
            return None
        return half_up(amount * to_units / from_units, 2)

    def in_reporting_currency(self, amount, day: date, currency: str) -> Decimal | None:
        """The amount in the reporting currency that day, to the cent; None before a rate."""
        return self.converted(amount, day, currency, REPORTING_CURRENCY)
