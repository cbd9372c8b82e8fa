"""Ads KPI marts after the shared e2e refresh, compared with the ads generator's truth computed
in plain Python: kpi_ads_daily sums and ratios per advertiser, campaign and ad per day, and
int_ads_by_shop_day and kpi_shop_daily re-aligned to shop-local days with an independent zoneinfo
split, to the cent."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pytest

from sandbox.ads_generator import ad_daily_truth, gmv_max_daily_truth
from sandbox.ground_truth import in_loaded_history
from tests.conftest import AS_OF, HISTORY_START
from tests.e2e.fx_truth import PublishedRates
from tests.e2e.shop_day_truth import ad_counts_by_shop_day, money_parts, shop_day_slices

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
        (row["local_date"], row["currency"]): row
        for row in rows_of(
            home / "warehouse.duckdb",
            "select local_date, currency, units_per_eur, reporting_per_unit from marts.fct_fx_rates_daily",
        )
    }
    return home, sandbox, truth, rates


def mart(home, level: str) -> dict[tuple[str, date], dict]:
    rows = rows_of(
        home / "serving" / "serving.duckdb",
        f"select * from marts.kpi_ads_daily where level = '{level}'",
    )
    return {(row["entity_id"], row["local_date"]): row for row in rows}


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
        "click_through_rate": (ratio(sums["clicks"], sums["impressions"], 6), 6),
        "cost_per_click_amount": (ratio(spend, sums["clicks"], 4), 4),
        "cost_per_mille_amount": (ratio(spend * 1000, sums["impressions"], 4), 4),
        "click_conversion_rate": (ratio(sums["conversions"], sums["clicks"], 6), 6),
        "cost_per_conversion_amount": (ratio(spend, sums["conversions"], 4), 4),
        "cost_per_order_amount": (ratio(spend, sums["orders"], 4), 4),
        "roas": (ratio(sums["attributed_gmv_amount"], spend, 4), 4),
    }


def reporting_rate(rates: dict, day: date, currency: str) -> Decimal | None:
    """Value of one unit in the reporting currency that day; 1 for the reporting currency."""
    if currency == REPORTING_CURRENCY:
        return Decimal(1)
    known = rates.get((day, currency))
    return None if known is None else known["reporting_per_unit"]


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


def advertiser_day_amounts(sandbox, truth) -> dict[tuple[str, str, date], list[Decimal]]:
    """(advertiser, shop, advertiser-local day) -> [ad report spend, ad report attributed GMV,
    GMV Max cost, GMV Max gross revenue] in the advertiser's currency, from the generators."""
    amounts: dict[tuple[str, str, date], list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 4)
    by_id = {ad.ad_id: ad for ad in sandbox.ads_dataset.ads}
    for (ad_id, day), stats in truth.items():
        advertiser = by_id[ad_id].advertiser
        if advertiser.shop_id is None:  # the brand account sells for no shop
            continue
        figures = amounts[(advertiser.advertiser_id, advertiser.shop_id, day)]
        figures[0] += stats.spend
        figures[1] += stats.total_onsite_shopping_value
    gmv_max = gmv_max_daily_truth(sandbox.ads_dataset, sandbox.as_of(), HISTORY_START, LAST_DAY)
    assert gmv_max, "some shops run GMV Max"
    for (advertiser_id, store_id, _campaign, day), figures in gmv_max.items():
        all_four = amounts[(advertiser_id, store_id, day)]
        all_four[2] += figures.cost
        all_four[3] += figures.gross_revenue
    return amounts


def ads_money_by_shop_day(sandbox, truth) -> tuple[dict[tuple[str, date, str], list], int]:
    """(shop, shop-local day, advertiser currency) -> [spend, attributed GMV] in the
    advertiser's currency, each advertiser day cut into cents per shop day; and how many
    advertiser days straddle two shop days."""
    shops = {shop.shop_id: shop for shop in sandbox.dataset.shops}
    advertisers = {a.advertiser_id: a for a in sandbox.ads_dataset.advertisers}
    parts: dict[tuple[str, date, str], list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 2)
    split_days = 0
    for (advertiser_id, shop_id, day), figures in advertiser_day_amounts(sandbox, truth).items():
        advertiser, shop = advertisers[advertiser_id], shops[shop_id]
        slices = shop_day_slices(day, advertiser.timezone, shop.time_zone, sandbox.as_of())
        split_days += len(slices) > 1
        # Each figure is cut on its own (GMV Max is also shown alone), then spend = ad report
        # spend + GMV Max cost and attributed GMV = ad report GMV + GMV Max gross revenue.
        for index, amount in enumerate(figures):
            for local, part in money_parts(amount, slices):
                parts[(shop_id, local, advertiser.currency)][index % 2] += part
    return parts, split_days


def test_shop_days_are_advertiser_days_cut_to_the_cent_and_converted_once(ads_world):
    """Zero tolerance: each advertiser day cut into cents per shop day by largest remainders,
    each shop day's part converted once at that day's published rates, rounded half up."""
    home, sandbox, truth, _rates = ads_world
    shops = {shop.shop_id: shop for shop in sandbox.dataset.shops}
    parts, split_days = ads_money_by_shop_day(sandbox, truth)
    assert split_days > 0, "cross-border advertisers' days straddle two shop days"

    published = PublishedRates(sandbox)
    expected: dict[tuple[str, date], list[Decimal | None]] = defaultdict(lambda: [Decimal(0)] * 4)
    for (shop_id, local, currency), (spend, gmv) in parts.items():
        row = expected[(shop_id, local)]
        for index, (amount, target) in enumerate(
            (
                (spend, shops[shop_id].currency),
                (spend, REPORTING_CURRENCY),
                (gmv, shops[shop_id].currency),
                (gmv, REPORTING_CURRENCY),
            )
        ):
            value = published.converted(amount, local, currency, target)
            row[index] = None if value is None or row[index] is None else row[index] + value

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
    wrong = [
        (key, name, row[name], want)
        for key, row in marted.items()
        for name, want in zip(columns, expected[key])
        if row[name] != want
    ]
    assert not wrong, sorted(wrong, key=str)[:10]
    assert all(row["currency"] == shops[key[0]].currency for key, row in marted.items())


def test_every_advertisers_ads_money_reaches_kpi_shop_daily_to_the_cent(ads_world):
    """Per advertiser, what fct_ads_daily (and GMV Max) report is what kpi_shop_daily carries,
    summed over the shop's days, to the cent: in the shop's currency when the advertiser pays
    in it, else in the reporting currency when that is the advertiser's. Nothing may be lost
    to rounding or to a shop day off the shop's calendar; the one part not carried is what
    falls on a shop day before the loaded history (Shanghai's first loaded day begins at 09:00
    on 31 October in Los Angeles), which is no shop day: exactly the generator's slices there."""
    home, sandbox, truth, _rates = ads_world
    shops = {shop.shop_id: shop for shop in sandbox.dataset.shops}
    before: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 2)
    for (shop_id, local, _currency), (spend, gmv) in ads_money_by_shop_day(sandbox, truth)[
        0
    ].items():
        if not in_loaded_history(sandbox.dataset, local):
            before[shop_id][0] += spend
            before[shop_id][1] += gmv
    assert sum(spend for spend, _ in before.values()) > 0, "accounts ahead of their shops' clocks"
    reported = rows_of(
        home / "warehouse.duckdb",
        "select shop_id, currency, sum(spend) as spend, sum(gmv) as gmv from ("
        " select shop_id, currency, coalesce(spend_amount, 0) as spend,"
        " coalesce(attributed_gmv_amount, 0) as gmv from marts.fct_ads_daily"
        " where shop_id is not null"
        " union all"
        " select g.store_id, a.currency, coalesce(g.cost_amount, 0), coalesce(g.gross_revenue_amount, 0)"
        " from staging.stg_tiktok_ads__gmv_max_daily_stats as g"
        " join staging.stg_tiktok_ads__advertisers as a on g.advertiser_id = a.advertiser_id"
        ") as both_reports group by shop_id, currency",
    )
    landed = {
        row["shop_id"]: row
        for row in rows_of(
            home / "serving" / "serving.duckdb",
            "select shop_id, sum(ads_spend_amount) as spend, sum(ads_attributed_gmv_amount) as gmv,"
            " sum(ads_spend_amount_reporting) as spend_reporting"
            " from marts.kpi_shop_daily group by shop_id",
        )
    }
    assert len({row["shop_id"] for row in reported}) == len(reported), "one currency per shop"
    wrong, by_kind = [], defaultdict(int)
    for row in reported:
        shop_id, currency = row["shop_id"], row["currency"]
        got = landed.get(shop_id, {"spend": None, "gmv": None, "spend_reporting": None})
        spend, gmv = (row["spend"] - before[shop_id][0], row["gmv"] - before[shop_id][1])
        if currency == shops[shop_id].currency:
            by_kind["shop currency"] += 1
            if (got["spend"], got["gmv"]) != (spend, gmv):
                wrong.append((shop_id, currency, got["spend"], spend, got["gmv"], gmv))
        else:
            assert currency == REPORTING_CURRENCY, (shop_id, currency)
            by_kind["reporting currency"] += 1
            if got["spend_reporting"] != spend:
                wrong.append((shop_id, currency, got["spend_reporting"], spend))
    assert not wrong, wrong
    assert by_kind["shop currency"] >= 2 and by_kind["reporting currency"] >= 2, by_kind


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
