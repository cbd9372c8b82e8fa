"""The marts' one naming convention for days, times, money and rates, and its few exceptions.

A BI user should tell from a column's name alone what it holds: `local_date` is the row's
shop-local day, `<x>_amount` money in the row's `currency`, `<x>_amount_reporting` the same in
`reporting_currency`, `<x>_rate` a ratio between 0 and 1. The rules read the column types the
marts' yml declares (contracts), so a check needs no warehouse; docs/architecture.md
("Naming convention of the marts") explains them and docs/mart_renames.md lists the renames.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser: ~10x faster

MONEY_WORDS = frozenset(
    {
        "gmv", "aov", "spend", "revenue", "fee", "cost", "refund", "settlement", "budget",
        "commission", "bonus", "price", "discount", "subtotal", "tax", "cac", "ltv", "adjustment",
    }
)  # fmt: skip
# A last word that says the column is not money even though it names a money thing.
NOT_MONEY_UNITS = frozenset({"rate", "days", "seconds", "hours", "rank", "currency"})
MONEY_SUFFIXES = ("_amount", "_amount_reporting")
RATIO_SPELLINGS = re.compile(r"(_pct|_share|_ratio)(_\w+)?$|_rate_|^(ctr|cvr|cpc|cpm)$")

# `mart.column` (fnmatch pattern) -> why it breaks the convention. Keep this list short: a new
# entry needs a reason a BI user would accept, otherwise rename the column.
EXCEPTIONS = {
    "fct_fx_rates_daily.rate_published_on": "the ECB's publication day in Frankfurt, no shop's",
    "fct_settlements.statement_date_utc": "TikTok states the statement day in UTC",
    "fct_inventory_daily.snapshot_date": "the day the ERP file says it counted, no shop's",
    "kpi_inventory_risk.forecast_stock_out_date": "a forecast, not an event that happened",
    "kpi_pacing.as_of_date": "the last day counted, on each scope's own calendar",
    "kpi_customers.cohort_month": "names a month (its first day), the cohort's key",
    "kpi_baselines.baseline_for_month": "names a month (its first day) the baseline is for",
    "dim_campaigns.created_at": "as the Ads API writes it; its time zone is unconfirmed",
    "dim_campaigns.modified_at": "as the Ads API writes it; its time zone is unconfirmed",
    "kpi_customers.ltv_*_to_cac": "a multiple (LTV per unit of acquisition cost)",
    "kpi_achievement.*_pct*": "achievement as the KPI configuration states it; exceeds 1",
    "kpi_scorecards.*_pct": "achievement and weight coverage as configured; can exceed 1",
    "kpi_pacing.*_pct": "achievement of the month target; can exceed 1",
    "kpi_pacing.run_rate_forecast": "a run-rate forecast in its KPI's unit, not a ratio",
    "kpi_drivers_*.*_contribution": "parts of the change of `metric`, in that metric's `unit`",
    "kpi_targets_daily.daily_target_reporting": "a target in its KPI's unit, converted when money",
    "kpi_incentives.days_share": "a share of the month's days, named as the incentive plan",
    "kpi_baselines.weekday_share_*": "weekday shares of a week that add up to 1",
}


@dataclass(frozen=True)
class MartColumn:
    mart: str
    name: str
    data_type: str  # lower case, without precision: "date", "decimal", "bigint", ...


def mart_columns(marts_dir: Path) -> list[MartColumn]:
    """Every column of every mart in the yml files under `marts_dir`."""
    columns = []
    for path in sorted(marts_dir.glob("*.yml")):
        for model in (yaml.load(path.read_text(), Loader=_LOADER) or {}).get("models") or []:
            for column in model.get("columns") or []:
                data_type = str(column.get("data_type", "")).lower().split("(")[0].strip()
                columns.append(MartColumn(model["name"], column["name"], data_type))
    return columns


def exception_reason(column: MartColumn) -> str | None:
    key = f"{column.mart}.{column.name}"
    return next((why for pattern, why in EXCEPTIONS.items() if fnmatch.fnmatch(key, pattern)), None)


def naming_problem(column: MartColumn) -> str | None:
    """What is wrong with a column's name under the convention, or None."""
    name, kind = column.name, column.data_type
    words = name.split("_")
    if not kind:
        return "declares no data_type, so its name cannot be checked against it"
    if kind == "date" and not (
        name == "local_date" or name.endswith(("_local_date", "_start", "_end"))
    ):
        return "a day is `local_date`, `<event>_local_date` or a period's `<x>_start`/`<x>_end`"
    if kind == "timestamp" and not name.endswith("_at_utc"):
        return "a moment is `<event>_at_utc`"
    if RATIO_SPELLINGS.search(name):
        return "a ratio is `<x>_rate` (0..1), money per unit is `<x>_amount`"
    if name.endswith("_rate") and kind != "decimal":
        return "a `_rate` is a DECIMAL ratio"
    if name.endswith(MONEY_SUFFIXES) and kind != "decimal":
        return "money (`_amount`) is DECIMAL"
    if name.endswith("_reporting") and not name.endswith("_amount_reporting"):
        return "reporting-currency money is `<x>_amount_reporting`"
    if kind in {"integer", "bigint"} and (name.endswith("_count") or words[0] in {"n", "num"}):
        return "a count is a plain plural noun (`orders`, `skus`)"
    is_money_named = MONEY_WORDS.intersection(words) and words[-1] not in NOT_MONEY_UNITS
    if kind == "decimal" and is_money_named and not name.endswith(MONEY_SUFFIXES):
        return "money is `<x>_amount` (row currency) or `<x>_amount_reporting`"
    return None


def convention_breaches(columns: list[MartColumn]) -> list[str]:
    """`mart.column: problem` for each column that breaks the convention and is no exception."""
    return [
        f"{c.mart}.{c.name}: {problem}"
        for c in columns
        if (problem := naming_problem(c)) is not None and exception_reason(c) is None
    ]
