"""The sandbox's ECB rates: deterministic, TARGET working days only, some N/A days, and a
history that starts well before the first day any source of the dataset dates."""

import io
import zipfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from connectors.ecb_fx import parse_daily_xml, parse_history_csv
from sandbox.ads_generator import HISTORY_LEAD_DAYS as ADS_LEAD_DAYS
from sandbox.ecb_fx import (
    GAP_CURRENCY,
    LEVELS,
    NA_CURRENCY,
    daily_xml,
    easter_sunday,
    ecb_rates,
    history_csv,
    history_start,
    history_zip,
    is_target_working_day,
    published_through,
    rate_in_force,
)
from sandbox.generator import DatasetConfig

WINDOW = DatasetConfig(7, date(2026, 3, 20), date(2026, 4, 30))


def test_same_seed_same_rates_other_seed_other_rates():
    assert ecb_rates(WINDOW) == ecb_rates(DatasetConfig(7, WINDOW.start_date, WINDOW.end_date))
    assert ecb_rates(WINDOW) != ecb_rates(DatasetConfig(8, WINDOW.start_date, WINDOW.end_date))


def test_a_day_has_the_same_rates_in_any_window():
    wider = ecb_rates(DatasetConfig(7, date(2026, 1, 1), date(2026, 6, 30)))
    rates = ecb_rates(WINDOW)
    assert rates == {day: wider[day] for day in rates}


def test_easter_by_the_gregorian_algorithm():
    assert easter_sunday(2024) == date(2024, 3, 31)
    assert easter_sunday(2025) == date(2025, 4, 20)
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert easter_sunday(2000) == date(2000, 4, 23)


def test_only_target_working_days_have_rates():
    config = DatasetConfig(7, date(2025, 12, 1), date(2026, 5, 31))
    rates = ecb_rates(config)
    days = set(rates)
    assert all(day.weekday() < 5 for day in days)
    for holiday in (
        date(2025, 12, 25),
        date(2025, 12, 26),
        date(2026, 1, 1),
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 1),
    ):
        assert holiday not in days
        assert not is_target_working_day(holiday)
    assert date(2026, 4, 2) in days and date(2026, 4, 7) in days
    first = history_start(config)
    every_day = [first + timedelta(days=n) for n in range((config.end_date - first).days + 1)]
    assert days == {day for day in every_day if is_target_working_day(day)}


def test_every_currency_has_a_rate_on_every_day_a_source_dates_from_its_first_order_on():
    """The real ECB history reaches back to 1999, so no day a shop sells on lacks a rate: the
    sandbox's starts well before its first history order and its first ads day (40 days
    before the window), a day before in UTC-8 included."""
    config = DatasetConfig(7, date(2026, 11, 1), date(2026, 11, 20), history_days=35)
    rates = ecb_rates(config)
    earliest = min(config.history()[0], config.start_date - timedelta(days=ADS_LEAD_DAYS))
    first_local = earliest - timedelta(days=1)  # a UTC day is the day before west of UTC
    days = [first_local + timedelta(days=n) for n in range((config.end_date - first_local).days)]
    unrated = [(c, d) for d in days for c in LEVELS if rate_in_force(rates, c, d) is None]
    assert unrated == []


def test_rates_are_decimals_near_their_levels_with_ecb_decimals():
    for day_rates in ecb_rates(WINDOW).values():
        for currency, rate in day_rates.items():
            level, decimals = LEVELS[currency]
            assert isinstance(rate, Decimal)
            assert -rate.as_tuple().exponent == decimals
            assert abs(rate / level - 1) < Decimal("0.15"), (currency, rate)


def test_some_days_have_no_brl_rate_and_the_csv_says_na():
    rates = ecb_rates(WINDOW)
    missing = [day for day, day_rates in rates.items() if NA_CURRENCY not in day_rates]
    assert 1 <= len(missing) < len(rates) // 3
    # Only BRL is N/A those days (MYR may be in its gap week too).
    assert all(set(rates[day]) >= set(LEVELS) - {NA_CURRENCY, GAP_CURRENCY} for day in missing)
    csv_text = history_csv(rates, WINDOW.end_date).decode()
    assert f"{missing[0].isoformat()}," in csv_text
    row = next(line for line in csv_text.splitlines() if line.startswith(missing[0].isoformat()))
    assert "N/A" in row


def test_files_round_trip_through_the_connector_parsers():
    rates = ecb_rates(WINDOW)
    as_of = date(2026, 4, 5)  # a Sunday in Easter: newest is Thursday 2 April
    daily = parse_daily_xml(daily_xml(rates, as_of).decode())
    assert {r.rate_date for r in daily} == {date(2026, 4, 2)}
    assert {r.currency: r.units_per_eur for r in daily} == rates[date(2026, 4, 2)]
    history = parse_history_csv(history_csv(rates, as_of).decode())
    got: dict[date, dict[str, Decimal]] = {}
    for r in history:
        got.setdefault(r.rate_date, {})[r.currency] = r.units_per_eur
    assert got == {day: day_rates for day, day_rates in rates.items() if day <= as_of}
    assert [r.rate_date for r in history] == sorted((r.rate_date for r in history), reverse=True)


def test_history_csv_has_the_trailing_empty_column():
    lines = history_csv(ecb_rates(WINDOW), WINDOW.end_date).decode().splitlines()
    assert lines[0] == "Date," + ",".join(LEVELS) + ","
    assert all(line.endswith(",") for line in lines)


def test_history_zip_holds_the_csv_and_is_byte_stable():
    rates = ecb_rates(WINDOW)
    blob = history_zip(rates, WINDOW.end_date)
    assert blob == history_zip(rates, WINDOW.end_date)
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        assert archive.namelist() == ["eurofxref-hist.csv"]
        assert archive.read("eurofxref-hist.csv") == history_csv(rates, WINDOW.end_date)


def test_rates_are_published_at_16_00_frankfurt_time():
    # 30 April 2026 is summer time (UTC+2): 16:00 in Frankfurt is 14:00 UTC.
    assert published_through(datetime(2026, 4, 30, 13, 59, tzinfo=UTC)) == date(2026, 4, 29)
    assert published_through(datetime(2026, 4, 30, 14, 0, tzinfo=UTC)) == date(2026, 4, 30)
    # January is winter time (UTC+1): 16:00 in Frankfurt is 15:00 UTC.
    assert published_through(datetime(2026, 1, 15, 14, 59, tzinfo=UTC)) == date(2026, 1, 14)
    assert published_through(datetime(2026, 1, 15, 15, 0, tzinfo=UTC)) == date(2026, 1, 15)


def test_myr_misses_wednesday_to_friday_of_one_week_in_four_so_its_rate_goes_stale():
    rates = ecb_rates(WINDOW)
    missing = sorted(day for day, day_rates in rates.items() if GAP_CURRENCY not in day_rates)
    mondays = sorted({day - timedelta(days=day.weekday()) for day in missing})
    assert len(mondays) > 2
    assert {later - earlier for earlier, later in pairwise(mondays)} == {timedelta(28)}
    first = history_start(WINDOW)
    for monday in mondays:
        wednesday_to_friday = [monday + timedelta(days=n) for n in (2, 3, 4)]
        assert [d for d in missing if monday <= d <= monday + timedelta(days=6)] == [
            d
            for d in wednesday_to_friday
            if is_target_working_day(d) and first <= d <= WINDOW.end_date
        ]
    assert all(set(rates[day]) >= set(LEVELS) - {GAP_CURRENCY, NA_CURRENCY} for day in missing)
    ages = [
        (day - rate_in_force(rates, GAP_CURRENCY, day)).days
        for day in WINDOW.days()
        if rate_in_force(rates, GAP_CURRENCY, day) is not None
    ]
    assert max(ages) >= 5  # Tuesday's rate on Sunday: past fx_rate_age's 4 days
