"""Typed cell parsing for ERP exports: amounts, counts, ids and times in every form they arrive."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from connectors.erp_files import (
    CellValueError,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_integer,
    parse_money,
    parse_text,
    parse_value,
)


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# ------------------------------------------------------------------------------ money


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1,234.50", "1234.50"),
        ("¥1,234.50", "1234.50"),
        ("￥1,234.50", "1234.50"),  # full-width yen sign, as Chinese Excel writes it
        ("RMB 12.30", "12.30"),
        ("12.30 CNY", "12.30"),
        ("12.30元", "12.30"),
        ("$5", "5"),
        ("US$5.10", "5.10"),
        ("£3.99", "3.99"),
        ("-¥8.00", "-8.00"),
        ("¥-8.00", "-8.00"),
        ("(5.00)", "-5.00"),
        ("１２．５", "12.5"),  # full-width digits
        (" 1 234.5 ", "1234.5"),  # spaces, incl. a non-breaking one
        (".5", "0.5"),
        ("1,234,567.891", "1234567.891"),
    ],
)
def test_money_text_in_every_vendor_style_is_an_exact_decimal(cell, expected):
    assert parse_money(cell) == Decimal(expected)
    assert isinstance(parse_money(cell), Decimal)


@pytest.mark.parametrize(
    ("cell", "expected"), [(12.3, "12.3"), (7, "7"), (Decimal("1.10"), "1.10")]
)
def test_money_from_workbook_numbers_keeps_the_shortest_decimal(cell, expected):
    assert parse_money(cell) == Decimal(expected)
    assert str(parse_money(12.3)) == "12.3"  # not 12.300000000000000710…


@pytest.mark.parametrize(
    "cell", ["约15元", "12a", "1,23", "12,50", "1.2.3", "¥12¥", "--5", "NaN", "inf", "¥", "12%"]
)
def test_money_rejects_anything_that_is_not_one_clear_amount(cell):
    with pytest.raises(CellValueError, match="not a money amount"):
        parse_money(cell)


@pytest.mark.parametrize("cell", [float("nan"), float("inf"), True])
def test_money_rejects_non_finite_and_boolean_cells(cell):
    with pytest.raises(CellValueError):
        parse_money(cell)


def test_plain_decimal_refuses_currency_symbols():
    assert parse_decimal("1,234.5678") == Decimal("1234.5678")
    with pytest.raises(CellValueError, match="not a number"):
        parse_decimal("¥12.30")


@pytest.mark.parametrize("cell", [None, "", "   ", "\u3000", "-", "--"])
def test_empty_cells_and_dashes_are_no_amount(cell):
    assert parse_value(cell, "money") is None
    assert parse_value(cell, "integer") is None


# ----------------------------------------------------------------------------- integers


@pytest.mark.parametrize(
    ("cell", "expected"), [("1,250", 1250), ("12.0", 12), (7.0, 7), ("-3", -3)]
)
def test_integers_accept_separators_and_whole_decimals(cell, expected):
    assert parse_integer(cell) == expected
    assert isinstance(parse_integer(cell), int)


@pytest.mark.parametrize("cell", ["12.5", 2.5, "两件", "1e3", True])
def test_integers_reject_fractions_and_words(cell):
    with pytest.raises(CellValueError, match="whole number|not a whole"):
        parse_integer(cell)


# --------------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (" 5770001234567890123\t", "5770001234567890123"),  # Dianxiaomi's tab-padded ids
        ('="5770001234567890123"', "5770001234567890123"),  # the ="..." CSV trick
        ("\u3000深圳仓\u3000", "深圳仓"),
        ("\ufeffSKU-01", "SKU-01"),
        (123456, "123456"),
        (42.0, "42"),
    ],
)
def test_text_is_trimmed_and_numbers_become_their_digits(cell, expected):
    assert parse_text(cell) == expected


def test_an_id_excel_has_rounded_to_15_digits_is_an_error_not_a_wrong_id():
    with pytest.raises(CellValueError, match="rounded to 15 digits"):
        parse_text(5.76000123456789e17)


# -------------------------------------------------------------------------------- times


def test_excel_serial_is_read_on_beijing_time_and_returned_in_utc():
    # 45000.5 is 2023-03-15 12:00 on the spreadsheet's clock, 04:00 UTC from Beijing.
    assert parse_datetime(45000.5) == _utc(2023, 3, 15, 4, 0)
    assert parse_datetime("45000.5") == _utc(2023, 3, 15, 4, 0)
    assert parse_date(45000.5) == date(2023, 3, 15)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2026-11-05 14:03:22", _utc(2026, 11, 5, 6, 3, 22)),
        ("2026/11/05 14:03", _utc(2026, 11, 5, 6, 3)),
        ("2026/11/5 14:03", _utc(2026, 11, 5, 6, 3)),
        ("2026-11-05", _utc(2026, 11, 4, 16, 0)),
        ("2026/11/5", _utc(2026, 11, 4, 16, 0)),
        ("2026.11.05 08:00:00", _utc(2026, 11, 5, 0, 0)),
        ("2026年11月5日 14:03", _utc(2026, 11, 5, 6, 3)),
        ("2026-11-05T14:03:22", _utc(2026, 11, 5, 6, 3, 22)),
        ("2026-11-05 07:59:59", _utc(2026, 11, 4, 23, 59, 59)),  # the UTC day before
        (datetime(2026, 11, 5, 14, 3, 22), _utc(2026, 11, 5, 6, 3, 22)),
        (date(2026, 11, 5), _utc(2026, 11, 4, 16, 0)),
    ],
)
def test_naive_times_are_beijing_time_converted_to_utc(cell, expected):
    parsed = parse_datetime(cell)
    assert parsed == expected
    assert parsed.tzinfo is UTC


def test_a_stated_offset_wins_over_the_mapping_clock():
    assert parse_datetime("2026-11-05T14:03:22Z") == _utc(2026, 11, 5, 14, 3, 22)
    assert parse_datetime("2026-11-05 14:03:22+07:00") == _utc(2026, 11, 5, 7, 3, 22)


def test_the_mapping_time_zone_decides_the_clock_of_naive_times():
    bangkok = ZoneInfo("Asia/Bangkok")
    assert parse_datetime("2026-11-05 14:03:22", bangkok) == _utc(2026, 11, 5, 7, 3, 22)


def test_workbook_time_noise_is_rounded_to_the_second():
    assert parse_datetime(datetime(2026, 11, 5, 14, 3, 21, 999_998)) == _utc(2026, 11, 5, 6, 3, 22)


@pytest.mark.parametrize(
    "cell",
    [
        "0000-00-00 00:00:00",
        "0000-00-00",
        "0000/00/00 00:00",
        "",
        "-",
        None,
        0,
        datetime(1899, 12, 30),  # Excel's serial 0 in a date cell
        "1970-01-01 08:00:00",  # Unix time 0 printed in Beijing: "not yet" in some ERPs
    ],
)
def test_zero_dates_and_empty_cells_mean_no_time(cell):
    assert parse_value(cell, "datetime") is None


@pytest.mark.parametrize(
    ("cell", "phrase"),
    [
        ("2026-13-45 10:00:00", "not a valid date"),
        ("2026/02/30", "not a valid date"),
        ("05/11/2026", "not a date"),  # day-first or month-first: ambiguous, refused
        ("tomorrow", "not a date"),
        ("20261105", "not a date"),
        (20261105, "not an Excel date serial"),
        ("1900-01-01", "outside 1990-2099"),
        (12, "outside 1990-2099"),
    ],
)
def test_bad_dates_are_errors_that_show_the_value(cell, phrase):
    with pytest.raises(CellValueError, match=phrase):
        parse_datetime(cell)


def test_dates_are_calendar_days_as_written():
    assert parse_date("2026/11/5") == date(2026, 11, 5)
    assert parse_date("2026-11-05 23:59:59") == date(2026, 11, 5)  # no shift to UTC
    assert parse_date(datetime(2026, 11, 5, 0, 0)) == date(2026, 11, 5)
    assert parse_date("0000-00-00") is None
