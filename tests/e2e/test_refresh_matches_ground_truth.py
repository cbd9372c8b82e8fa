"""The whole slice on real parts: sandbox over HTTP → raw files → dbt → marts → serving.

Every expected number comes from the sandbox generator's plain-Python ground truth."""

from __future__ import annotations

import csv
import gzip
import hmac
import json
import stat
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import duckdb
import pytest

from connectors import sandbox_defaults
from linkstar_pipeline.defs.dbt.project import DBT_PROJECT_DIR
from linkstar_pipeline.lib import buyer_key
from sandbox.ads_generator import advertiser_daily_truth
from sandbox.ecb_fx import published_through
from sandbox.erp_exports import erp_export_truth
from sandbox.generator import (
    CANCELLED,
    CANCELLED_AFTER_SHIPMENT,
    COD_REFUSED,
    DELIVERY_FAILED,
    PARTIALLY_SHIPPING,
)
from sandbox.ground_truth import (
    ShopDayTruth,
    in_loaded_history,
    loaded_from,
    loaded_orders,
    local_date,
    returns_truth,
    shop_daily_truth,
)
from tests.conftest import AS_OF, HISTORY_START
from tests.e2e.fx_truth import PublishedRates, half_up

pytestmark = pytest.mark.e2e

TRUTH_FIELDS = [
    "orders_placed",
    "orders_paid",
    "gmv_paid",
    "units_paid",
    "orders_delivered",
    "gmv_delivered",
    "orders_cancelled",
    "orders_completed",
    "gmv_completed",
    "refund_amount_by_refund_date",
    "refund_amount_by_order_date",
    "orders_with_return_request",
]
# The kpi_shop_daily column of a truth field: money carries its unit suffix in the marts.
_MART_COLUMNS = {
    "gmv_paid": "gmv_paid_amount",
    "gmv_delivered": "gmv_delivered_amount",
    "gmv_completed": "gmv_completed_amount",
    "refund_amount_by_refund_date": "refund_by_refund_date_amount",
    "refund_amount_by_order_date": "refund_by_order_date_amount",
}


def mart_column(field: str) -> str:
    return _MART_COLUMNS.get(field, field)


def markets_and_seller_sql(columns: list[str]) -> str:
    """`market, local_date, *columns` of every market (kpi_market_daily) and of the whole
    seller (kpi_seller_daily) as market 'ALL'; the seller has no local money (`_amount`)."""
    seller = [f"null as {c}" if c.endswith("_amount") else c for c in columns]
    return (
        f"select market, local_date, {', '.join(columns)} from marts.kpi_market_daily "
        f"union all select 'ALL', local_date, {', '.join(seller)} from marts.kpi_seller_daily"
    )


def serving_rows(home, sql: str):
    connection = duckdb.connect(str(home / "serving" / "serving.duckdb"), read_only=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def kpi_by_shop_day(home) -> dict[tuple[str, date], dict[str, object]]:
    columns = ", ".join(mart_column(field) for field in TRUTH_FIELDS)
    rows = serving_rows(home, f"select shop_id, local_date, {columns} from marts.kpi_shop_daily")
    return {(shop, day): dict(zip(TRUTH_FIELDS, values)) for shop, day, *values in rows}


def assert_marts_match_truth(home, dataset, as_of: int, after_sales=None) -> None:
    truth = shop_daily_truth(dataset, as_of, after_sales)
    marts = kpi_by_shop_day(home)
    zero = dict.fromkeys(TRUTH_FIELDS, 0)
    differences = []
    for key in sorted(set(truth) | set(marts)):
        expected = (
            {field: getattr(truth[key], field) for field in TRUTH_FIELDS} if key in truth else zero
        )
        actual = marts.get(key, zero)
        for field in TRUTH_FIELDS:
            if Decimal(str(actual[field])) != Decimal(str(expected[field])):
                differences.append((key, field, actual[field], expected[field]))
    assert not differences, differences[:20]
    assert {shop.shop_id for shop in dataset.shops} == {shop for shop, _ in truth}


def assert_returns_match_truth(home, sandbox, as_of: int) -> None:
    """Every return request's status, refund and refund day equal the generator's."""
    truth = returns_truth(sandbox.api.after_sales, as_of, loaded_from(sandbox.dataset))
    rows = serving_rows(
        home,
        "select return_id, shop_id, return_status, refund_total_amount, refunded_local_date "
        "from marts.fct_returns",
    )
    marts = {
        rid: (shop, status, Decimal(str(total)), day) for rid, shop, status, total, day in rows
    }
    expected = {
        rid: (t.shop_id, t.status, t.refund_total, t.refunded_local_date)
        for rid, t in truth.items()
    }
    assert truth, "the sandbox must generate returns for this comparison to mean anything"
    assert {v[1] for v in expected.values()} >= {"RETURN_OR_REFUND_REQUEST_COMPLETE"}
    differences = [
        (rid, marts.get(rid), expected.get(rid))
        for rid in set(marts) | set(expected)
        if marts.get(rid) != expected.get(rid)
    ]
    assert not differences, sorted(differences, key=str)[:20]


def test_kpi_shop_daily_matches_ground_truth_for_every_shop_and_day_on_both_bases(loaded_warehouse):
    home, sandbox, *_ = loaded_warehouse
    assert_marts_match_truth(home, sandbox.dataset, sandbox.as_of(), sandbox.api.after_sales)


def test_cancellation_rate_follows_the_truth(loaded_warehouse):
    """The cancellation cohort rate from the generator's orders."""
    home, sandbox, *_ = loaded_warehouse
    truth = shop_daily_truth(sandbox.dataset, sandbox.as_of(), sandbox.api.after_sales)
    rows = serving_rows(
        home, "select shop_id, local_date, cancellation_rate from marts.kpi_shop_daily"
    )
    for shop_id, day, rate in rows:
        t = truth.get((shop_id, day))
        placed = t.orders_placed if t else 0
        expected_rate = Decimal(t.orders_placed_later_cancelled) / placed if t and placed else None
        if expected_rate is None:
            assert rate is None, (shop_id, day)
        else:
            assert Decimal(str(rate)) == half_up(expected_rate, 6), (shop_id, day)


# kpi_shop_daily reporting column -> its amount in the shop's currency, from the truth
REPORTING_AMOUNTS = {
    "gmv_paid_amount_reporting": lambda t: t.gmv_paid,
    "gmv_delivered_amount_reporting": lambda t: t.gmv_delivered,
    "gmv_completed_amount_reporting": lambda t: t.gmv_completed,
    "refund_by_refund_date_amount_reporting": lambda t: t.refund_amount_by_refund_date,
    "gmv_paid_net_of_refunds_by_order_date_amount_reporting": (
        lambda t: t.gmv_paid - t.refund_amount_by_order_date
    ),
}


def test_reporting_amounts_equal_the_truth_converted_exactly_in_every_currency(loaded_warehouse):
    """Every reporting-currency amount of every shop day, IDR and VND included, equals the
    generator's amount × USD per euro ÷ currency per euro at the newest rates published on or
    before the shop-local day, rounded once, half up — to the cent, zero tolerance."""
    home, sandbox, *_ = loaded_warehouse
    truth = shop_daily_truth(sandbox.dataset, sandbox.as_of(), sandbox.api.after_sales)
    rates = PublishedRates(sandbox)
    rows = serving_rows(
        home,
        f"select shop_id, local_date, currency, {', '.join(REPORTING_AMOUNTS)} "
        "from marts.kpi_shop_daily",
    )
    wrong, converted = [], defaultdict(int)
    for shop_id, day, currency, *actual in rows:
        t = truth.get((shop_id, day), ShopDayTruth())
        for column, value in zip(REPORTING_AMOUNTS, actual, strict=True):
            expected = rates.in_reporting_currency(REPORTING_AMOUNTS[column](t), day, currency)
            if value != expected:
                wrong.append((shop_id, day, currency, column, value, expected))
            converted[currency] += expected is not None
    assert not wrong, wrong[:10]
    assert {"IDR", "VND", "GBP", "USD"} <= {c for c, n in converted.items() if n}
    vnd_rates = {
        rates.units_per_eur(day, "VND") for _, day, currency, *_ in rows if currency == "VND"
    }
    assert len(vnd_rates - {None}) >= 3, "VND's rate must change inside the window"


def test_every_shop_has_one_fx_freshness_row_dated_by_its_currencys_newest_rate(loaded_warehouse):
    """VND too, which the ECB does not quote: its row (source fx_supplementary) is dated by the
    newest row of the supplementary seed in force at the pipeline's today, an ECB currency's
    (source fx) by its newest published ECB day."""
    home, sandbox, *_ = loaded_warehouse
    rates = PublishedRates(sandbox)
    rows = serving_rows(
        home,
        "select shop_id, source, cast(newest_event_at_utc as date), status "
        "from marts.data_freshness where source like 'fx%'",
    )
    expected = {
        (
            shop.shop_id,
            "fx" if rates.from_the_ecb(shop.currency) else "fx_supplementary",
            rates.published_on(AS_OF.date(), shop.currency),
            "ok",
        )
        for shop in sandbox.dataset.shops
    }
    assert sorted(rows) == sorted(expected)
    assert "fx_supplementary" in {source for _, source, *_ in expected}


def test_every_shop_and_market_row_names_the_reporting_currency(loaded_warehouse):
    """Every row from the first day on: its reporting columns are in USD (or, on a day
    without an FX rate, null — named USD either way)."""
    home, *_ = loaded_warehouse
    for mart in ("kpi_shop_daily", "kpi_market_daily"):
        ((unnamed, rows, first_day),) = serving_rows(
            home,
            "select count(*) filter (where reporting_currency is distinct from 'USD'), "
            f"count(*), min(local_date) from marts.{mart}",
        )
        assert unnamed == 0, (mart, unnamed, rows)
        assert first_day <= HISTORY_START, "the rows must cover the whole window"


def test_a_null_amount_says_why_in_words_on_shop_and_market_rows(loaded_warehouse):
    """A sum with an unconvertible part is null and says why: the currency with no published
    rate that day (the shop's, the reporting currency or its ads') and its first rate's day,
    from the published rates; no reason where nothing is null. The default data has a rate
    for every day in use (a day without one blocks the publish): the wording of a day without
    one is proven in test_a_day_without_an_fx_rate_blocks_the_publish.py."""
    home, sandbox, *_ = loaded_warehouse
    rates = PublishedRates(sandbox)
    ads_currency = {a.shop_id: a.currency for a in sandbox.ads_dataset.advertisers if a.shop_id}
    amounts = list(REPORTING_AMOUNTS) + [
        "ads_spend_amount",
        "ads_spend_amount_reporting",
        "ads_attributed_gmv_amount",
    ]
    rows = serving_rows(
        home,
        f"select shop_id, local_date, currency, reporting_null_reason, {', '.join(amounts)} "
        "from marts.kpi_shop_daily",
    )
    wrong = []
    for shop_id, day, currency, reason, *values in rows:
        if None not in values:
            if reason is not None:
                wrong.append((shop_id, day, "reason without a null", reason))
            continue
        candidates = {currency, "USD", ads_currency.get(shop_id, currency)}
        allowed = {
            f"no FX rate for {c} before {rates.first_day(c)}"
            for c in candidates
            if rates.units_per_eur(day, c) is None
        }
        if reason not in allowed:
            wrong.append((shop_id, day, reason, allowed))
    assert not wrong, wrong[:10]

    by_market_day = defaultdict(set)
    for shop_id, day, _currency, reason, *_ in rows:
        if reason is not None:
            market = next(s.region for s in sandbox.dataset.shops if s.shop_id == shop_id)
            by_market_day[(market, day)].add(reason)
            by_market_day[("ALL", day)].add(reason)
    markets = serving_rows(home, markets_and_seller_sql(["reporting_null_reason"]))
    wrong = [
        (market, day, reason)
        for market, day, reason in markets
        if reason != ("; ".join(sorted(by_market_day[(market, day)])) or None)
    ]
    assert not wrong, wrong[:10]


def test_fct_returns_matches_ground_truth_request_by_request(loaded_warehouse):
    home, sandbox, *_ = loaded_warehouse
    assert_returns_match_truth(home, sandbox, sandbox.as_of())


def test_fct_ads_daily_matches_the_ads_ground_truth_per_advertiser_and_local_day(
    loaded_warehouse,
):
    home, sandbox, *_ = loaded_warehouse
    rows = serving_rows(
        home,
        "select advertiser_id, local_date, sum(spend_amount), sum(impressions), sum(clicks), "
        "sum(conversions), sum(attributed_gmv_amount), count(distinct shop_id) "
        "from marts.fct_ads_daily group by 1, 2",
    )
    marts = {(a, d): tuple(Decimal(str(v)) for v in values[:5]) for a, d, *values in rows}
    assert all(row[-1] == 1 for row in rows), "each advertiser sells for exactly one shop"
    first, last = min(d for _, d in marts), max(d for _, d in marts)
    assert first <= HISTORY_START
    truth = advertiser_daily_truth(sandbox.ads_dataset, sandbox.as_of(), first, last)
    fields = ("spend", "impressions", "clicks", "conversion", "total_onsite_shopping_value")
    expected = {
        key: tuple(Decimal(str(totals[f] or 0)) for f in fields) for key, totals in truth.items()
    }
    assert len({a for a, _ in expected}) == len(sandbox.dataset.shops)
    differences = [
        (key, marts.get(key), expected.get(key))
        for key in set(marts) | set(expected)
        if marts.get(key) != expected.get(key)
    ]
    assert not differences, sorted(differences, key=str)[:10]
    currencies = {
        c for (c,) in serving_rows(home, "select distinct currency from marts.fct_ads_daily")
    }
    assert len(currencies) >= 2, "advertisers report in their own currencies"


def test_erp_fulfilment_lines_match_the_exports_and_keep_their_discrepancies(loaded_warehouse):
    home, sandbox, *_ = loaded_warehouse
    truth = erp_export_truth(sandbox.dataset, sandbox.as_of())
    expected = {
        (row["platform_order_id"], row["erp_order_no"], row["seller_sku"]): row["quantity"]
        for file in truth.files
        if file.kind == "order_fulfilment"
        for row in file.rows
    }
    warehouse = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        rows = warehouse.execute(
            "select order_id, erp_package_no, seller_sku, quantity "
            "from staging.stg_erp__fulfilment_lines"
        ).fetchall()
        fct_orders = {
            oid for (oid,) in warehouse.execute("select order_id from marts.fct_orders").fetchall()
        }
    finally:
        warehouse.close()
    assert {(o, p, s): q for o, p, s, q in rows} == expected
    erp_orders = {o for o, *_ in rows}
    assert truth.missing_orders and truth.missing_orders <= fct_orders - erp_orders
    assert truth.split_orders


def test_every_listed_sku_lands_with_its_price_and_stock(loaded_warehouse):
    home, sandbox, *_ = loaded_warehouse
    as_of = sandbox.as_of()
    expected = {
        sku.sku_id: (
            product.shop.shop_id,
            sku.seller_sku,
            sku.original_price,
            product.stock_at(sku, as_of),
        )
        for products in sandbox.api.products.values()
        for product in products
        for sku in product.skus
    }
    warehouse = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        rows = warehouse.execute(
            "select sku_id, shop_id, seller_sku, list_price_amount, units_in_stock "
            "from staging.stg_tiktok_shop__skus"
        ).fetchall()
    finally:
        warehouse.close()
    assert {
        sku: (shop, seller, Decimal(str(price)), stock) for sku, shop, seller, price, stock in rows
    } == expected


def test_every_market_reports_in_its_own_currency(loaded_warehouse):
    home, sandbox, *_ = loaded_warehouse
    rows = serving_rows(home, "select distinct shop_id, market, currency from marts.kpi_shop_daily")
    expected = {(shop.shop_id, shop.region, shop.currency) for shop in sandbox.dataset.shops}
    assert set(rows) == expected
    assert len({currency for _, _, currency in rows}) >= 3


def test_no_buyer_pii_reaches_marts_or_serving(loaded_warehouse, warehouse_text_values):
    home, sandbox, *_ = loaded_warehouse
    pii = sandbox.dataset.pii_values()
    assert pii, "the generator must produce PII for this test to mean anything"
    assert len(warehouse_text_values) > 1000, "every column of every model is searched"
    leaks = [
        (*key, value) for key, values in warehouse_text_values.items() for value in values & pii
    ]
    assert not leaks, leaks[:10]
    columns = {
        name for (name,) in serving_rows(home, "select column_name from information_schema.columns")
    }
    assert not columns & {"buyer_email", "user_id", "recipient_address", "name", "phone_number"}


def test_dbt_tests_ran_as_asset_checks_and_passed(loaded_warehouse):
    _, _, result, _ = loaded_warehouse
    evaluations = result.get_asset_check_evaluations()
    checked = {evaluation.asset_key.to_user_string() for evaluation in evaluations}
    assert {
        "marts/kpi_shop_daily",
        "marts/fct_orders",
        "staging/stg_tiktok_shop__orders",
    } <= checked
    # Reconciliation checks fire on the sandbox's known discrepancies by design (asserted,
    # shop by shop, in test_trust_marts_flag_known_discrepancies.py), and the seeded data has
    # a few KPI days out of their usual range (test_anomalies_match_a_recomputation.py):
    # warnings, both; so are the two `severity: warn` column rules a history order trips: a
    # return of an order never loaded (its life ended before the loaded history) and its lines,
    # whose order lines were never loaded either (docs/kpi_management.md, section 9). Every
    # other check passes.
    failed = [e.check_name for e in evaluations if not e.passed]
    history_warnings = {
        (
            "column_rules_fct_returns__REFUND_RETURN_AND_REFUND_REPLACEMENT____column_order_id_to_"
            "ref_fct_orders_field_order_id_"
        ),
        "column_rules_fct_return_lines_product_id",
    }
    assert failed and all(
        name.startswith(("recon_", "kpis_within_their_usual_range")) or name in history_warnings
        for name in failed
    ), failed


def test_secret_and_token_never_reach_files_logs_or_metadata(loaded_warehouse):
    """Every byte the run left behind (raw pages, warehouse, serving, Dagster's run storage,
    event logs and metadata) is searched for the app secret, the access token and the
    buyer-key secret (outside its own 0600 file)."""
    home, _, _, dagster_home = loaded_warehouse
    buyer_secret_file = home / buyer_key.SECRET_FILE
    secrets = [
        sandbox_defaults.TIKTOK_SHOP_SANDBOX_APP_SECRET.encode(),
        sandbox_defaults.TIKTOK_SHOP_SANDBOX_ACCESS_TOKEN.encode(),
        buyer_secret_file.read_text().strip().encode(),
    ]
    files = [
        p
        for root in (home, dagster_home)
        for p in root.rglob("*")
        if p.is_file() and p != buyer_secret_file
    ]
    assert any(p.name.endswith(".jsonl.gz") for p in files)
    leaks = []
    for path in files:
        content = path.read_bytes()
        if path.name.endswith(".gz"):
            content = gzip.decompress(content)
        leaks += [(str(path), secret) for secret in secrets if secret in content]
    assert not leaks


def test_buyer_key_is_the_hmac_of_each_user_id_under_the_generated_private_secret(
    loaded_warehouse,
):
    """No secret configured (the suite sets none): one was generated into the home, private
    (0600), and every order's buyer_key is the HMAC-SHA256 of its raw user id under it."""
    home, *_ = loaded_warehouse
    secret_file = home / buyer_key.SECRET_FILE
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    secret = secret_file.read_text().strip().encode()
    users = {}
    for path in (home / "raw" / "tiktok_shop" / "orders").glob("*.jsonl.gz"):
        for line in gzip.decompress(path.read_bytes()).splitlines():
            for order in json.loads(json.loads(line)["body"])["data"].get("orders", []):
                users[order["id"]] = order.get("user_id")
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as connection:
        keys = dict(
            connection.execute(
                "select order_id, buyer_key from staging.stg_tiktok_shop__orders"
            ).fetchall()
        )
    assert set(keys) == set(users) and len(keys) > 1000
    assert keys == {
        order_id: None if user is None else hmac.new(secret, user.encode(), "sha256").hexdigest()
        for order_id, user in users.items()
    }


def test_fx_rates_follow_the_published_files_with_weekends_carried_forward(loaded_warehouse):
    """Every day and currency up to the sandbox's clock: the newest rate published on or before
    that day (flagged when carried), and the USD value of one unit computed through the euro."""
    home, sandbox, *_ = loaded_warehouse
    last_day = AS_OF.date()
    served_through = published_through(AS_OF)  # the ECB publishes at 16:00 Frankfurt time
    published = {day: rates for day, rates in sandbox.fx_rates.items() if day <= served_through}
    first_day = min(published)
    rows = serving_rows(
        home,
        "select local_date, currency, units_per_eur, is_carried_forward, reporting_per_unit "
        f"from marts.fct_fx_rates_daily where local_date between '{first_day}' and '{last_day}' "
        "and rate_source = 'ecb' and currency <> 'EUR'",
    )
    actual = {(day, currency): (rate, carried, usd) for day, currency, rate, carried, usd in rows}

    expected = {}
    newest: dict[str, tuple[date, Decimal]] = {}
    day = first_day
    while day <= last_day:
        for currency, rate in published.get(day, {}).items():
            newest[currency] = (day, rate)
        for currency, (published_on, rate) in newest.items():
            expected[(day, currency)] = (rate, published_on < day)
        day += timedelta(days=1)

    assert set(actual) == set(expected)
    assert any(carried for _, carried in expected.values()), "the window must include weekends"
    for key, (rate, carried) in expected.items():
        actual_rate, actual_carried, usd_per_unit = actual[key]
        assert (Decimal(actual_rate), actual_carried) == (rate, carried), key
        usd_per_eur = newest_rate_on(published, key[0], "USD")
        assert abs(Decimal(usd_per_unit) - usd_per_eur / rate) < Decimal("1e-9"), key


def test_fx_rates_are_carried_forward_to_the_pipelines_today_not_the_real_one(loaded_warehouse):
    """The carry-forward ends on the pipeline clock's day (LINKSTAR_NOW, pinned by the suite to
    the sandbox's clock) in the market furthest east (markets.csv), never on the date the
    suite happens to run."""
    home, *_ = loaded_warehouse
    with (DBT_PROJECT_DIR / "seeds" / "markets.csv").open(newline="") as seed:
        zones = {row["time_zone"] for row in csv.DictReader(seed)}
    ((newest,),) = serving_rows(home, "select max(local_date) from marts.fct_fx_rates_daily")
    assert newest == max(AS_OF.astimezone(ZoneInfo(zone)).date() for zone in zones)


def newest_rate_on(published, day: date, currency: str) -> Decimal:
    """The rate of `currency` published on or before `day` (plain Python, for the test)."""
    candidates = [d for d in published if d <= day and currency in published[d]]
    return published[max(candidates)][currency]


def test_orders_placed_before_the_window_land_when_they_change_inside_it(loaded_warehouse):
    """The history case (issue 15): orders placed before the first loaded day whose
    deliveries, completions, cancellations and refunds land inside it are loaded (by update
    time) with every event on its own day; an order whose life ended before the window is
    never loaded, and its refunds inside the window are there, by refund date only."""
    home, sandbox, *_ = loaded_warehouse
    as_of, start = sandbox.as_of(), loaded_from(sandbox.dataset)
    history = {o.order_id: o for o in loaded_orders(sandbox.dataset, as_of)}
    history = {i: o for i, o in history.items() if o.create_time < start}
    in_window = {
        name: {i for i, o in history.items() if (t := getattr(o, f"{name}_time")) and t >= start}
        for name in ("delivery", "cancel")
    }
    assert all(in_window.values()), "the sandbox must serve pre-window orders"
    rows = serving_rows(
        home,
        "select order_id, counts_as_delivered from marts.fct_orders "
        f"where created_at_utc < to_timestamp({start})",
    )
    assert {order_id for order_id, _ in rows} == set(history)
    assert in_window["delivery"] <= {order_id for order_id, delivered in rows if delivered}
    never_loaded = {
        r.return_id
        for r in sandbox.api.after_sales.returns
        if r.refund_time is not None
        and start <= r.refund_time <= as_of
        and r.order.create_time < start
        and r.order.order_id not in history
    }
    assert never_loaded, "some refunds inside the window must be of orders never loaded"
    refunds = dict(
        serving_rows(
            home,
            "select return_id, order_paid_local_date from marts.fct_returns "
            f"where return_id in ({', '.join(repr(r) for r in sorted(never_loaded))})",
        )
    )
    assert set(refunds) == never_loaded and set(refunds.values()) == {None}


# Each shop-day mart (and what is built from its days) with the first day it holds per scope.
_FIRST_DAYS_SQL = """
    select 'kpi_shop_daily', shop_id, min(local_date) from marts.kpi_shop_daily group by 2
    union all select 'kpi_funnel_daily', shop_id, min(local_date) from marts.kpi_funnel_daily group by 2
    union all select 'anomalies_daily', shop_id, min(local_date) from marts.anomalies_daily group by 2
    union all select 'recon_daily', shop_id, min(local_date) from marts.recon_daily
        where check_name <> 'ads_ad_level_vs_advertiser_spend' group by 2
    union all select 'kpi_market_daily', market, min(local_date) from marts.kpi_market_daily group by 2
    union all select 'kpi_seller_daily', 'ALL', min(local_date) from marts.kpi_seller_daily
    union all select 'kpi_drivers_daily', 'ALL', min(comparison_period_start) from marts.kpi_drivers_daily
    union all select 'fct_kpi_actuals_daily', 'ALL', min(local_date) from marts.fct_kpi_actuals_daily
"""


def test_shop_day_marts_start_on_the_first_loaded_day_not_on_an_older_orders_day(loaded_warehouse):
    """Issue 15: an order placed before the loaded history lands when it changes inside it, so
    the days such orders were placed and paid on would show a few orders where there were
    hundreds. Every shop's days, and the markets', the seller's, the funnel's, the anomalies',
    the drivers', the KPI actuals' built from them and the reconciliation checks involving
    orders' (the platform's analytics and the ERP reach further back), start on the first loaded day (the
    window's first UTC date, in every time zone, as scoring does); the history orders stay in
    fct_orders with their own payment days."""
    home, sandbox, *_ = loaded_warehouse
    dataset, as_of = sandbox.dataset, sandbox.as_of()
    paid_before = {
        order.order_id: day
        for order in loaded_orders(dataset, as_of)
        if "paid_time" in (times := order.state_at(as_of).times)
        and not in_loaded_history(dataset, day := local_date(order.shop, times["paid_time"]))
    }
    assert len(paid_before) > 100, "the sandbox must serve orders paid before the history"
    rows = serving_rows(
        home, "select order_id, paid_local_date from marts.fct_orders where paid_at_utc is not null"
    )
    assert {o: d for o, d in rows if not in_loaded_history(dataset, d)} == paid_before

    first_days = serving_rows(home, _FIRST_DAYS_SQL)
    scopes = {mart for mart, *_ in first_days}
    assert len(scopes) == 8 and len(first_days) > 3 * len(dataset.shops), first_days
    wrong = [
        (mart, scope, first)
        for mart, scope, first in first_days
        if not in_loaded_history(dataset, first)
        or in_loaded_history(dataset, first - timedelta(days=1))
    ]
    assert not wrong, wrong


def test_failures_after_shipment_are_no_sale_and_a_partial_shipment_is_paid(loaded_warehouse):
    """Post-shipment cases (issue 15; South-East Asian shops): a buyer's cancellation before
    collection, a refused cash-on-delivery parcel and a failed delivery sent back are CANCELLED
    with their shipment times: a sale on no basis (paid, delivered, completed); an order in
    PARTIALLY_SHIPPING (one of two packages left) is paid and not yet delivered."""
    home, sandbox, *_ = loaded_warehouse
    as_of = sandbox.as_of()
    failed, partial = {}, set()
    for order in loaded_orders(sandbox.dataset, as_of):
        state = order.state_at(as_of)
        if state.status == CANCELLED and "rts_time" in state.times:
            failed[order.order_id] = order.cancel_reason
        elif state.status == PARTIALLY_SHIPPING:
            partial.add(order.order_id)
    reasons = {COD_REFUSED, DELIVERY_FAILED, CANCELLED_AFTER_SHIPMENT}
    assert set(failed.values()) == reasons and partial, "the sandbox must serve every case"
    rows = serving_rows(
        home,
        "select order_id, counts_as_paid, counts_as_delivered, counts_as_completed, is_cancelled "
        "from marts.fct_orders",
    )
    flags = {order_id: tuple(values) for order_id, *values in rows}
    assert {i: flags[i] for i in failed} == dict.fromkeys(failed, (False, False, False, True))
    assert {i: flags[i] for i in partial} == dict.fromkeys(partial, (True, False, False, False))


def test_order_level_vouchers_come_off_gmv_when_the_seller_funds_them(loaded_warehouse):
    """Vouchers (issue 15) sit in the payment block on top of the lines' discounts: GMV is the
    original price less every seller discount, the seller voucher included, with every
    platform discount (line or voucher) added back — per order, to the cent."""
    home, sandbox, *_ = loaded_warehouse
    orders = loaded_orders(sandbox.dataset, sandbox.as_of())
    with_voucher = {o.order_id: o for o in orders if o.seller_voucher or o.platform_voucher}
    both = [o for o in with_voucher.values() if o.seller_voucher and o.platform_voucher]
    assert both, "the sandbox must serve seller and platform vouchers, also together"
    rows = serving_rows(home, "select order_id, gmv_amount from marts.fct_orders")
    gmv = {order_id: Decimal(str(value)) for order_id, value in rows if order_id in with_voucher}
    assert gmv == {
        order_id: order.original_total_product_price - order.seller_discount
        for order_id, order in with_voucher.items()
    }
