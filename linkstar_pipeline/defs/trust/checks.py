"""The reconciliation and freshness verdicts as asset checks, with their figures in metadata.

One check per row of the recon_checks seed on marts.recon_daily, one on marts.data_freshness,
one on marts.anomalies_daily, and the calibration of kpi_shop_daily against the raw pages.
They never block: a mismatch between sources is the signal the seller needs, not a reason to
withhold the numbers (integrity failures are dbt tests of severity error, and those block, as
does the FX check in integrity.py).
"""

import dagster as dg

from linkstar_pipeline.lib.calibration import EXAMPLES_SHOWN, SAMPLE_SHOP_DAYS, calibrate
from linkstar_pipeline.lib.paths import linkstar_paths
from linkstar_pipeline.lib.trust import (
    Verdict,
    anomaly_verdict,
    freshness_verdict,
    recon_checks,
    recon_verdicts,
)

RECON_KEY = dg.AssetKey(["marts", "recon_daily"])
FRESHNESS_KEY = dg.AssetKey(["marts", "data_freshness"])
ANOMALIES_KEY = dg.AssetKey(["marts", "anomalies_daily"])
SHOP_DAILY_KEY = dg.AssetKey(["marts", "kpi_shop_daily"])
_SEVERITY = {"warn": dg.AssetCheckSeverity.WARN, "error": dg.AssetCheckSeverity.ERROR}
_CHECKS = {check.name: check for check in recon_checks()}


def _result(verdict: Verdict, severity: dg.AssetCheckSeverity, **identity) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        **identity,
        passed=verdict.off == 0,
        severity=severity,
        metadata={
            "rows": verdict.rows,
            "rows_off": verdict.off,
            "worst_status": verdict.worst_status,
            "first_rows_off": dg.MetadataValue.json(verdict.examples),
        },
    )


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(name=f"recon_{name}", asset=RECON_KEY, description=check.description())
        for name, check in _CHECKS.items()
    ],
    can_subset=True,
)
def reconciliation_checks(context: dg.AssetCheckExecutionContext):
    names = [key.name.removeprefix("recon_") for key in context.selected_asset_check_keys]
    for name, verdict in recon_verdicts(linkstar_paths(), names).items():
        yield _result(
            verdict,
            _SEVERITY[_CHECKS[name].severity],
            asset_key=RECON_KEY,
            check_name=f"recon_{name}",
        )


@dg.asset_check(
    asset=FRESHNESS_KEY,
    description=(
        "Every source of every shop landed recently enough: age of the last landing (FX: of the "
        "newest ECB day) against dbt_project/seeds/freshness_thresholds.csv. Rows off are in "
        "marts.data_freshness with the age, the thresholds and what to do. Never blocks."
    ),
)
def sources_are_fresh() -> dg.AssetCheckResult:
    verdict = freshness_verdict(linkstar_paths())
    worst = "error" if verdict.worst_status == "error" else "warn"
    return _result(verdict, _SEVERITY[worst])


@dg.asset_check(
    asset=ANOMALIES_KEY,
    description=(
        "Every shop KPI of every complete day lies within its usual range: robust z-score "
        "(0.6745 · (value − median) / MAD over the shop's previous 28 complete days) within "
        "± 3.5 (dbt vars anomaly_*). Rows beyond it are in marts.anomalies_daily with "
        "status above_range / below_range; the largest are in this check's metadata. A "
        "warning to look at (a promotion, a broken listing, a tracking change), never a block."
    ),
)
def kpis_within_their_usual_range() -> dg.AssetCheckResult:
    return _result(anomaly_verdict(linkstar_paths()), dg.AssetCheckSeverity.WARN)


@dg.asset_check(
    asset=SHOP_DAILY_KEY,
    description=(
        f"Calibration: for {SAMPLE_SHOP_DAYS} shop-days picked afresh each run, paid orders and "
        "paid GMV (shop currency) recomputed in Python straight from the landed raw order pages "
        "(newest version of each order, status mapping and market time zone from the seeds) "
        "equal kpi_shop_daily's orders_paid and gmv_paid_amount exactly, to the cent. A difference "
        "means the models lost, doubled or misdated money: the shop-days are in the metadata. "
        "lib/calibration.py."
    ),
)
def kpi_shop_daily_matches_the_raw_pages(
    context: dg.AssetCheckExecutionContext,
) -> dg.AssetCheckResult:
    result = calibrate(linkstar_paths(), SAMPLE_SHOP_DAYS, seed=context.run.run_id)
    return dg.AssetCheckResult(
        passed=not result.off,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "shop_days_compared": result.compared,
            "shop_days_off": len(result.off),
            "first_shop_days_off": dg.MetadataValue.json(result.off[:EXAMPLES_SHOWN]),
        },
    )
