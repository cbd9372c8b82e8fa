"""The one integrity failure that is an asset check, not a dbt test: a shop day using a
currency with no FX rate known at all blocks the publish (issue 14).

An asset check because dbt can name a failing test but not its rows, and this failure must
say which currency, shops and days; and because a dbt error test skips the models downstream
of what it tests, where here every model is still built and only the publish (downstream of
every mart) waits for the check and is skipped when it fails. The failed evaluation carries
the figures for the UI; the error it then raises is what the run, `linkstar run` and the
run_failed alert print.
"""

import dagster as dg

from linkstar_pipeline.lib.missing_fx import MissingFxRateError, unrated_shop_days
from linkstar_pipeline.lib.paths import linkstar_paths

SHOP_DAILY_KEY = dg.AssetKey(["marts", "kpi_shop_daily"])
CHECK_NAME = "every_used_currency_has_an_fx_rate"
FX_RATE_CHECK = dg.AssetCheckKey(SHOP_DAILY_KEY, CHECK_NAME)


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            CHECK_NAME,
            asset=SHOP_DAILY_KEY,
            blocking=True,
            description=(
                "Every currency a shop day uses (the shop's, the reporting currency, the one "
                "its ads are paid in) has an FX rate known on that day: the day's own or the "
                "last one carried forward. A day before a currency's first known rate "
                "(kpi_shop_daily.reporting_null_reason) is an integrity failure that BLOCKS "
                "the publish: every model is built, the previously published marts stay, and "
                "the run fails naming the currency, shops and days. An old rate carried "
                "forward never blocks (recon_daily's fx_rate_age warns)."
            ),
        )
    ],
)
def every_used_currency_has_an_fx_rate():
    # A multi-asset check so that it can both record its failed evaluation and raise.
    unrated = unrated_shop_days(linkstar_paths())
    error = MissingFxRateError(unrated) if unrated else None
    yield dg.AssetCheckResult(
        check_name=CHECK_NAME,
        asset_key=SHOP_DAILY_KEY,
        passed=error is None,
        severity=dg.AssetCheckSeverity.ERROR,
        description=str(error) if error else None,
        metadata={
            "shop_days_without_a_rate": error.shop_days if error else 0,
            "shops_without_a_rate": dg.MetadataValue.json(
                [{"reason": s.reason, "shop_id": s.shop_id, "days": len(s.days)} for s in unrated]
            ),
        },
    )
    if error is not None:
        raise error
