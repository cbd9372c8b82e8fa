"""What the configuration is checked against, outside the config files themselves.

The KPI dictionary (names, directions), the scoring catalogue (which KPI may be scored on which
scope, the seed dbt also reads), the currencies that have FX rates and the shops that have
landed. Each lookup is one small function so a test can inject its own `References`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from linkstar_pipeline.lib.kpi_dictionary import DBT_PROJECT_DIR, load_dictionary

SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
CATALOG_SEED = SEEDS_DIR / "kpi_scoring_catalog.csv"


@dataclass(frozen=True)
class CatalogEntry:
    kpi: str
    scope: str
    aggregation: str  # sum | ratio
    is_money: bool
    identity_kind: str | None  # person scope only: which identity's rows are scored


@dataclass(frozen=True)
class References:
    kpi_directions: dict[str, str]  # dictionary name -> higher | lower | neutral
    catalog: dict[tuple[str, str], CatalogEntry]  # (kpi, scope) -> entry
    currencies_with_rates: frozenset[str]
    landed_shop_ids: frozenset[str] | None  # None: no shops landed yet (not checked)
    today: date  # UTC; decides which quarters have started (injectable for tests)


def kpi_directions() -> dict[str, str]:
    return {kpi.name: kpi.direction for kpi in load_dictionary()}


def scoring_catalog(path: Path = CATALOG_SEED) -> dict[tuple[str, str], CatalogEntry]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            (row["kpi"], row["scope"]): CatalogEntry(
                kpi=row["kpi"],
                scope=row["scope"],
                aggregation=row["aggregation"],
                is_money=row["is_money"].strip().lower() == "true",
                identity_kind=row["identity_kind"] or None,
            )
            for row in csv.DictReader(handle)
        }


def currencies_with_rates(raw_dir: Path, seeds_dir: Path = SEEDS_DIR) -> frozenset[str]:
    """EUR, the markets' currencies, the supplementary rates' currencies and, once the ECB
    history has landed (raw/fx/ecb_history/<fetch day>.csv, newest file), every ECB currency.

    The same sources dbt's `int_fx_rates_daily` converts with, so a currency accepted here
    can be converted there."""
    currencies = {"EUR"}
    currencies |= _column(seeds_dir / "markets.csv", "currency")
    currencies |= _column(seeds_dir / "fx_supplementary_rates.csv", "currency")
    ecb_files = sorted((raw_dir / "fx" / "ecb_history").glob("*.csv"))
    if ecb_files:
        from connectors.ecb_fx import parse_history_csv

        rates = parse_history_csv(ecb_files[-1].read_text(encoding="utf-8"))
        currencies |= {rate.currency for rate in rates}
    return frozenset(currencies)


def _column(path: Path, column: str) -> set[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row[column].strip() for row in csv.DictReader(handle) if row[column].strip()}


def landed_shop_ids(raw_dir: Path) -> frozenset[str] | None:
    """Shop ids of the last landed TikTok Shop shops page; None before the first landing."""
    from linkstar_pipeline.defs.tiktok_shop.landing import landed_shops, shops_file

    if not shops_file(raw_dir).exists():
        return None
    return frozenset(shop.shop_id for shop in landed_shops(raw_dir))


def load_references(raw_dir: Path, today: date) -> References:
    return References(
        kpi_directions=kpi_directions(),
        catalog=scoring_catalog(),
        currencies_with_rates=currencies_with_rates(raw_dir),
        landed_shop_ids=landed_shop_ids(raw_dir),
        today=today,
    )
