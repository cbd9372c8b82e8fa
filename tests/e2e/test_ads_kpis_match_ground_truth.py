"""Ads KPI marts after the shared e2e refresh, compared with the ads generator's truth computed
in plain Python: kpi_ads_daily sums and ratios per advertiser, campaign and ad per day, and
int_ads_by_shop_day re-aligned to shop-local days with an independent zoneinfo pro-rata."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import duckdb
import pytest

from sandbox.ads_generator import ad_daily_truth, gmv_max_daily_truth
from tests.conftest import AS_OF, HISTORY_START
from tests.e2e.fx_truth import PublishedRates
from tests.e2e.shop_day_truth import ad_counts_by_shop_day, shop_day_slices

pytestmark = pytest.mark.e2e

LAST_DAY = AS_OF.date() + timedelta(days=1)  # advertisers ahead of UTC already report it
CENT = Decimal("0.01")
REPORTING_CURRENCY = "USD"  # dbt var reporting_currency (default)
SUMS = ("spend_amount", "impressions", "clicks", "conversions", "orders", "attributed_gmv_amount")


def rows_of(database, sql: str) -> list[dict]:
    connection = duckdb.connect(str(database), read_only=True)
    try:
        cursor = connection.execute(sql)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]
    finally:
        connection.close()


@pytest.fixture(scope="module")
def ads_world(loaded_warehouse):
    home, sandbox, *_ = loaded_warehouse
    truth = ad_daily_truth(sandbox.ads_dataset, sandbox.as_of(), HISTORY_START, LAST_DAY)
    rates = {
        (row["rate_day"], row["currency"]): row
        for row in rows_of(
            home / "warehouse.duckdb",
            "select rate_day, currency, units_per_eur, reporting_per_unit from marts.fct_fx_rates_daily",
        )
    }
    return home, sandbox, truth, rates


def mart(home, level: str) -> dict[tuple[str, date], dict]:
    rows = rows_of(
        home / "serving" / "serving.duckdb",
        f"select * from marts.kpi_ads_daily where level = '{level}'",
    )
    return {(row["entity_id"], row["stat_date"]): row for row in rows}


def rolled_up(truth, ads_dataset, entity_of) -> dict[tuple[str, date], dict]:
    """Plain sums of the generator's ad-days per entity and day."""
    by_id = {ad.ad_id: ad for ad in ads_dataset.ads}
    sums: dict[tuple[str, date], dict] = {}
    for (ad_id, day), stats in truth.items():
        row = sums.setdefault((entity_of(by_id[ad_id]), day), dict.fromkeys(SUMS, 0))
        row["spend_amount"] += stats.spend
        row["impressions"] += stats.impressions
        row["clicks"] += stats.clicks
        row["conversions"] += stats.conversion
        row["orders"] += stats.complete_payment
        row["attributed_gmv_amount"] += stats.total_onsite_shopping_value
    return sums


def ratio(numerator, denominator, places: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(
        Decimal(1).scaleb(-places), ROUND_HALF_UP
    )


def expected_ratios(sums: dict) -> dict[str, tuple[Decimal | None, int]]:
    spend = sums["spend_amount"]
    return {
        "ctr": (ratio(sums["clicks"], sums["impressions"], 6), 6),
        "cpc": (ratio(spend, sums["clicks"], 4), 4),
        "cpm": (ratio(spend * 1000, sums["impressions"], 4), 4),
        "cvr": (ratio(sums["conversions"], sums["clicks"], 6), 6),
        "cost_per_conversion": (ratio(spend, sums["conversions"], 4), 4),
        "cost_per_order": (ratio(spend, sums["orders"], 4), 4),
        "roas": (ratio(sums["attributed_gmv_amount"], spend, 4), 4),
    }


def reporting_rate(rates: dict, day: date, currency: str) -> Decimal | None:
    """Value of one unit in the reporting currency that day; 1 for the reporting currency."""
    if currency == REPORTING_CURRENCY:
        return Decimal(1)
    known = rates.get((day, currency))
    return None if known is None else known["reporting_per_unit"]


def cross_rate(rates: dict, day: date, source: str, target: str) -> Fraction | None:
    """Units of `target` per unit of `source` that day, through the euro; 1 when they agree."""
    if source == target:
        return Fraction(1)
    if (day, source) not in rates or (day, target) not in rates:
        return None
    return Fraction(rates[(day, target)]["units_per_eur"]) / Fraction(
        rates[(day, source)]["units_per_eur"]
    )


def differences(marted: dict, truth: dict, published: PublishedRates) -> list:
    """Every mismatch between mart rows and truth, at zero tolerance: sums exact, ratios
    and reporting amounts exact decimals rounded once, half up (the project's one rule)."""
    found = []
    for key in set(marted) | set(truth):
        row, sums = marted.get(key), truth.get(key)
        if row is None or sums is None:
            found.append((key, "missing in mart" if row is None else "not in truth"))
            continue
        for name in SUMS:
            if row[name] != sums[name]:
                found.append((key, name, row[name], sums[name]))
        for name, (expected, _places) in expected_ratios(sums).items():
            if row[name] != expected:
                found.append((key, name, row[name], expected))
        reporting = published.in_reporting_currency(sums["spend_amount"], key[1], row["currency"])
        if row["spend_amount_reporting"] != reporting:
            found.append((key, "spend_amount_reporting", row["spend_amount_reporting"], reporting))
    return found


def test_advertiser_days_equal_the_generators_sums_and_ratios(ads_world):
    home, sandbox, truth, _rates = ads_world
    expected = rolled_up(truth, sandbox.ads_dataset, lambda ad: ad.advertiser.advertiser_id)
    marted = mart(home, "advertiser")
    assert len({key[0] for key in expected}) == len(sandbox.ads_dataset.advertisers)
    found = differences(marted, expected, PublishedRates(sandbox))
    assert not found, sorted(found, key=str)[:10]
    assert all(row["reach"] is None for row in marted.values()), "reach is never summed"
    assert min(key[1] for key in marted) == HISTORY_START


def test_campaign_days_equal_the_generators_sums_and_ratios(ads_world):
    home, sandbox, truth, _rates = ads_world
    expected = rolled_up(truth, sandbox.ads_dataset, lambda ad: ad.campaign_id)
    marted = mart(home, "campaign")
    found = differences(marted, expected, PublishedRates(sandbox))
    assert not found, sorted(found, key=str)[:10]
    assert all(row["reach"] is None for row in marted.values())


def test_ad_days_keep_the_reported_reach(ads_world):
    home, _sandbox, truth, _rates = ads_world
    marted = mart(home, "ad")
    assert set(marted) == set(truth)
    wrong = [
        (key, row["reach"], truth[key].reach)
        for key, row in marted.items()
        if row["reach"] != truth[key].reach
    ]
    assert not wrong, wrong[:10]
    assert sum(truth[key].reach for key in truth) > 0


# ------------------------------------------------------------------ re-aligned to shop days


def test_shop_days_are_advertiser_days_split_by_hours_and_converted(ads_world):
    home, sandbox, truth, rates = ads_world
    ads_dataset = sandbox.ads_dataset
    shops = {shop.shop_id: shop for shop in sandbox.dataset.shops}
    advertisers = {a.advertiser_id: a for a in ads_dataset.advertisers}
    amounts: dict[tuple[str, str, date], list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 2)
    by_id = {ad.ad_id: ad for ad in ads_dataset.ads}
    for (ad_id, day), stats in truth.items():
        advertiser = by_id[ad_id].advertiser
        figures = amounts[(advertiser.advertiser_id, advertiser.shop_id, day)]
        figures[0] += stats.spend
        figures[1] += stats.total_onsite_shopping_value
    gmv_max = gmv_max_daily_truth(ads_dataset, sandbox.as_of(), HISTORY_START, LAST_DAY)
    assert gmv_max, "some shops run GMV Max"
    for (advertiser_id, store_id, _campaign, day), figures in gmv_max.items():
        both = amounts[(advertiser_id, store_id, day)]
        both[0] += figures.cost
        both[1] += figures.gross_revenue

    # (shop, shop-local day) -> [spend, spend reporting, GMV, GMV reporting]; None: no rate yet
    expected: dict[tuple[str, date], list[Fraction | None]] = defaultdict(lambda: [Fraction(0)] * 4)
    split_days = 0
    for (advertiser_id, shop_id, day), (spend, gmv) in amounts.items():
        advertiser, shop = advertisers[advertiser_id], shops[shop_id]
        slices = shop_day_slices(day, advertiser.timezone, shop.time_zone)
        split_days += len(slices) > 1
        for local, share in slices:
            to_shop = cross_rate(rates, local, advertiser.currency, shop.currency)
            to_reporting = reporting_rate(rates, local, advertiser.currency)
            row = expected[(shop_id, local)]
            for index, (amount, rate) in enumerate(
                ((spend, to_shop), (spend, to_reporting), (gmv, to_shop), (gmv, to_reporting))
            ):
                if rate is None or row[index] is None:
                    row[index] = None
                else:
                    row[index] += Fraction(amount) * share * Fraction(rate)
    assert split_days > 0, "cross-border advertisers' days straddle two shop days"

    columns = (
        "ads_spend_amount",
        "ads_spend_amount_reporting",
        "attributed_gmv_amount",
        "attributed_gmv_amount_reporting",
    )
    marted = {
        (row["shop_id"], row["local_date"]): row
        for row in rows_of(
            home / "warehouse.duckdb", "select * from intermediate.int_ads_by_shop_day"
        )
    }
    assert set(marted) == set(expected)
    wrong = []
    for key, row in marted.items():
        assert row["currency"] == shops[key[0]].currency
        for name, value in zip(columns, expected[key]):
            # Rounded once to cents; day shares and cross rates carry 10-12 decimals.
            if (row[name] is None) != (value is None) or (
                value is not None and abs(Fraction(row[name]) - value) > Fraction(1, 100)
            ):
                wrong.append((key, name, row[name], value if value is None else float(value)))
    assert not wrong, sorted(wrong, key=str)[:10]


def test_re_alignment_conserves_money_where_no_currency_changes(ads_world):
    home, sandbox, truth, _ = ads_world
    advertisers = {a.advertiser_id: a for a in sandbox.ads_dataset.advertisers}
    shops = {shop.shop_id: shop for shop in sandbox.dataset.shops}
    by_id = {ad.ad_id: ad for ad in sandbox.ads_dataset.ads}
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for (ad_id, _day), stats in truth.items():
        totals[by_id[ad_id].advertiser.shop_id] += stats.spend
    for (_a, store_id, _c, _d), figures in gmv_max_daily_truth(
        sandbox.ads_dataset, sandbox.as_of(), HISTORY_START, LAST_DAY
    ).items():
        totals[store_id] += figures.cost
    rows = rows_of(
        home / "warehouse.duckdb",
        "select shop_id, sum(ads_spend_amount) as spend, count(*) as days "
        "from intermediate.int_ads_by_shop_day group by shop_id",
    )
    same_currency = {
        a.shop_id for a in advertisers.values() if a.currency == shops[a.shop_id].currency
    }
    checked = 0
    for row in rows:
        if row["shop_id"] in same_currency:
            # At most half a cent of rounding per shop-day row.
            assert abs(row["spend"] - totals[row["shop_id"]]) <= CENT / 2 * row["days"], row
            checked += 1
    assert checked >= 2


def test_counts_move_to_shop_days_as_whole_numbers_that_keep_each_shops_total(ads_world):
    home, sandbox, truth, _ = ads_world
    expected = ad_counts_by_shop_day(sandbox, truth)
    columns = {
        "ads_impressions": "impressions",
        "ads_clicks": "clicks",
        "ads_orders": "complete_payment",
        "ads_follows": "follows",
    }
    marted = {
        (row["shop_id"], row["local_date"]): row
        for row in rows_of(
            home / "warehouse.duckdb", "select * from intermediate.int_ads_by_shop_day"
        )
    }
    wrong = [
        (key, column, row[column], expected.get(key, {}).get(name, 0))
        for key, row in marted.items()
        for column, name in columns.items()
        if row[column] != expected.get(key, {}).get(name, 0)
    ]
    assert not wrong, sorted(wrong, key=str)[:10]
    by_id = {ad.ad_id: ad for ad in sandbox.ads_dataset.ads}
    for column, name in columns.items():
        per_shop: dict[str, int] = defaultdict(int)
        for (ad_id, _day), stats in truth.items():
            per_shop[by_id[ad_id].advertiser.shop_id] += getattr(stats, name)
        landed: dict[str, int] = defaultdict(int)
        for (shop_id, _day), row in marted.items():
            landed[shop_id] += row[column]
        assert landed == per_shop, column
    assert sum(row["ads_follows"] for row in marted.values()) > 0


def test_top_creatives_sum_each_ads_week_and_rank_by_gmv_and_roas(ads_world):
    home, sandbox, truth, rates = ads_world
    by_id = {ad.ad_id: ad for ad in sandbox.ads_dataset.ads}
    weeks: dict[tuple[str, date], dict] = {}
    for (ad_id, day), stats in truth.items():
        week = weeks.setdefault(
            (ad_id, day - timedelta(days=day.weekday())),
            {"spend": Decimal(0), "gmv": Decimal(0), "orders": 0, "days": []},
        )
        week["spend"] += stats.spend
        week["gmv"] += stats.total_onsite_shopping_value
        week["orders"] += stats.complete_payment
        week["days"].append((day, stats))
    rows = {
        (row["ad_id"], row["week_start"]): row
        for row in rows_of(
            home / "serving" / "serving.duckdb", "select * from marts.kpi_top_creatives"
        )
    }
    assert set(rows) == set(weeks)
    wrong = []
    for key, want in weeks.items():
        row = rows[key]
        currency = by_id[key[0]].advertiser.currency
        got = (row["spend_amount"], row["attributed_gmv_amount"], row["orders"])
        if got != (want["spend"], want["gmv"], want["orders"]):
            wrong.append((key, got, want["spend"], want["gmv"], want["orders"]))
        # Each day converted at its own rate and rounded to cents, then summed.
        day_rates = [reporting_rate(rates, day, currency) for day, _ in want["days"]]
        if None in day_rates:
            assert row["attributed_gmv_amount_reporting"] is None, key
            continue
        gmv_reporting = sum(
            (s.total_onsite_shopping_value * r).quantize(CENT, ROUND_HALF_UP)
            for (_, s), r in zip(want["days"], day_rates)
        )
        if abs(row["attributed_gmv_amount_reporting"] - gmv_reporting) > CENT * len(day_rates):
            wrong.append((key, row["attributed_gmv_amount_reporting"], gmv_reporting))
    assert not wrong, sorted(wrong, key=str)[:10]

    # The ranks, recomputed in Python from the mart's own weekly figures.
    by_week: dict[date, list[dict]] = defaultdict(list)
    for row in rows.values():
        by_week[row["week_start"]].append(row)
    for week_rows in by_week.values():
        for row in week_rows:
            gmv, roas = row["attributed_gmv_amount_reporting"], row["roas"]
            spend = row["spend_amount_reporting"]
            if spend and gmv is not None:
                assert abs(roas - gmv / spend) <= Decimal("0.0001"), row
            else:
                assert roas is None, row
            ahead_by_gmv = sum(
                1
                for other in week_rows
                if other["attributed_gmv_amount_reporting"] is not None
                and (gmv is None or other["attributed_gmv_amount_reporting"] > gmv)
            )
            ahead_by_roas = sum(
                1
                for other in week_rows
                if other["roas"] is not None and (roas is None or other["roas"] > roas)
            )
            assert (row["gmv_rank"], row["roas_rank"]) == (ahead_by_gmv + 1, ahead_by_roas + 1)
            top = -(-len(week_rows) // 10)
            assert row["is_top_decile"] == bool(gmv and gmv > 0 and row["gmv_rank"] <= top)
            assert row["creatives_in_week"] == len(week_rows)
    assert any(row["is_top_decile"] for row in rows.values())
