"""Issue 14: "missing FX for a used currency" is an integrity failure that blocks the publish.

A shop day whose currency has no FX rate known at all (not an old one carried forward: that
only warns, recon_daily's fx_rate_age) fails the blocking check
`every_used_currency_has_an_fx_rate`: every model is still built, the run fails naming the
currency, the shops and the days, and BI keeps reading the previous publish byte for byte.
The default dataset has a rate for every day in use (the sandbox's ECB history starts a year
before its first order), so it publishes.

No pipeline run of its own: the shared e2e warehouse is copied, the landed ECB history of the
copy loses MYR's rates before a day inside the window (a history that starts late), dbt
rebuilds the FX models and kpi_shop_daily from it, and the publish job (the one the UI and
sensor `publish_after_mart_runs` launch) runs on the copy: the check first, the publish only
if it passes. Real dbt, real Dagster, the real serving files. That the check holds back
nothing but the publish in the nightly build is proven on the definitions
(tests/integration/test_dagster_definitions.py).
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import timedelta

import dagster as dg
import duckdb
import pytest

from linkstar_pipeline.defs.trust.integrity import CHECK_NAME, SHOP_DAILY_KEY
from linkstar_pipeline.lib.refresh_run import step_failure_messages
from tests.conftest import AS_OF, HISTORY_START
from tests.e2e.dbt_cli import run_dbt
from tests.e2e.fx_truth import PublishedRates

pytestmark = pytest.mark.e2e

CURRENCY = "MYR"
PUBLISHED_MARTS = dg.AssetKey(["serving", "published_marts"])
REBUILT = ("stg_fx__ecb_rates", "int_fx_rates_daily", "fct_fx_rates_daily", "kpi_shop_daily")


def _rows(home, sql: str) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def _fingerprint(folder) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _without_rates_before(history_csv: str, currency: str, first_day) -> str:
    """The ECB history as if `currency` had been published only from `first_day` on."""
    lines = history_csv.splitlines()
    column = lines[0].split(",").index(currency)
    kept = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        if cells[0] < first_day.isoformat():
            cells[column] = "N/A"
        kept.append(",".join(cells))
    return "\n".join(kept) + "\n"


def test_the_default_dataset_has_a_rate_for_every_shop_day_and_publishes(loaded_warehouse):
    home, sandbox, record, _ = loaded_warehouse
    rates = PublishedRates(sandbox)
    shop_days = _rows(home, "select shop_id, local_date, currency from marts.kpi_shop_daily")
    assert shop_days and min(day for _, day, _ in shop_days) <= HISTORY_START
    assert [(s, d, c) for s, d, c in shop_days if rates.units_per_eur(d, c) is None] == []
    evaluated = [
        e.passed
        for e in record.get_asset_check_evaluations()
        if e.asset_key == SHOP_DAILY_KEY and e.check_name == CHECK_NAME
    ]
    assert evaluated == [True]
    assert (home / "serving" / "serving.duckdb").exists()


def test_a_shop_day_without_any_fx_rate_blocks_the_publish_and_names_it(
    loaded_warehouse, tmp_path, monkeypatch
):
    home, sandbox, _, _ = loaded_warehouse
    (shop,) = [s for s in sandbox.dataset.shops if s.currency == CURRENCY]
    # The first day MYR is published on or after the window's tenth day (from the truth).
    first_rate_day = min(
        day
        for day, quoted in sandbox.fx_rates.items()
        if day >= HISTORY_START + timedelta(days=9) and CURRENCY in quoted
    )
    assert first_rate_day < AS_OF.date()
    copy = tmp_path / "home"
    shutil.copytree(home, copy, ignore=shutil.ignore_patterns("*.lock"))
    history = max((copy / "raw" / "fx" / "ecb_history").glob("*.csv"))
    history.write_text(_without_rates_before(history.read_text(), CURRENCY, first_rate_day))
    run_dbt(copy, "run", "--select", *REBUILT, target_path=tmp_path / "target")
    published_before = _fingerprint(copy / "serving")
    monkeypatch.setenv("LINKSTAR_HOME", str(copy))

    from linkstar_pipeline.definitions import defs
    from linkstar_pipeline.defs.serving.sensors import PUBLISH_JOB_NAME

    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def(PUBLISH_JOB_NAME).execute_in_process(
            instance=instance, raise_on_error=False
        )

    assert not result.success
    assert result.get_asset_materialization_events() == []  # the publish was skipped
    assert _fingerprint(copy / "serving") == published_before

    reason = f"no FX rate for {CURRENCY} before {first_rate_day}"
    flagged = _rows(
        copy,
        "select shop_id, local_date, reporting_null_reason, gmv_paid_amount_reporting "
        "from marts.kpi_shop_daily where reporting_null_reason is not null order by local_date",
    )
    days = [day for _, day, _, _ in flagged]
    assert {(s, r, gmv) for s, _, r, gmv in flagged} == {(shop.shop_id, reason, None)}
    ((first_day, before_the_rate),) = _rows(
        copy,
        f"select min(local_date), count(*) filter (where local_date < '{first_rate_day}') "
        f"from marts.kpi_shop_daily where shop_id = '{shop.shop_id}'",
    )
    assert days[0] == first_day <= HISTORY_START and days[-1] == first_rate_day - timedelta(1)
    assert len(days) == before_the_rate  # every day of the shop before MYR's first rate

    (check,) = [e for e in result.get_asset_check_evaluations() if e.check_name == CHECK_NAME]
    assert (check.passed, check.severity) == (False, dg.AssetCheckSeverity.ERROR)
    named = f"{reason}: shop {shop.shop_id} ({shop.name}) on {len(days)} days, {days[0]}.."
    assert named in check.description
    (message,) = [m for m in step_failure_messages(result) if "MissingFxRateError" in m]
    assert named in message and f"..{days[-1]}" in message and "not published" in message
