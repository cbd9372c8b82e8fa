"""The ECB file parsers and cross rates, on hand-written files in the real formats."""

from datetime import date
from decimal import Context, Decimal

import pytest

from connectors import sandbox_defaults
from connectors.ecb_fx import (
    ECB_PRODUCTION_BASE_URL,
    EcbFxError,
    EcbFxSettings,
    EcbRate,
    cross_rate,
    parse_daily_xml,
    parse_history_csv,
)

DAILY_XML = """<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
\t<gesmes:subject>Reference rates</gesmes:subject>
\t<gesmes:Sender>
\t\t<gesmes:name>European Central Bank</gesmes:name>
\t</gesmes:Sender>
\t<Cube>
\t\t<Cube time='2026-04-30'>
\t\t\t<Cube currency='USD' rate='1.0812'/>
\t\t\t<Cube currency='JPY' rate='160.37'/>
\t\t\t<Cube currency='GBP' rate='0.85280'/>
\t\t\t<Cube currency='IDR' rate='17552.12'/>
\t\t</Cube>
\t</Cube>
</gesmes:Envelope>
"""

HISTORY_CSV = (
    "Date,USD,JPY,BRL,IDR,\n"
    "2026-04-30,1.0812,160.37,N/A,17552.12,\n"
    "2026-04-29, 1.0790 , 159.88 ,6.0123,17490.5,\n"
    "2026-04-28,1.0801,N/A,6.0011,17501.00,\n"
)


def _daily(cube: str) -> str:
    return (
        '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
        'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">'
        f"<Cube><Cube time='2026-04-30'>{cube}</Cube></Cube></gesmes:Envelope>"
    )


def test_daily_xml_gives_every_rate_as_decimal():
    day = date(2026, 4, 30)
    assert parse_daily_xml(DAILY_XML) == [
        EcbRate(day, "USD", Decimal("1.0812")),
        EcbRate(day, "JPY", Decimal("160.37")),
        EcbRate(day, "GBP", Decimal("0.85280")),
        EcbRate(day, "IDR", Decimal("17552.12")),
    ]
    assert all(isinstance(r.units_per_eur, Decimal) for r in parse_daily_xml(DAILY_XML))


def test_history_csv_skips_na_and_tolerates_whitespace_and_trailing_column():
    rates = parse_history_csv(HISTORY_CSV)
    by_key = {(r.rate_date, r.currency): r.units_per_eur for r in rates}
    assert len(rates) == 10
    assert by_key[(date(2026, 4, 29), "USD")] == Decimal("1.0790")
    assert by_key[(date(2026, 4, 29), "JPY")] == Decimal("159.88")
    assert (date(2026, 4, 30), "BRL") not in by_key  # N/A: no rate, not zero
    assert (date(2026, 4, 28), "JPY") not in by_key
    assert [r.rate_date for r in rates][:3] == [date(2026, 4, 30)] * 3  # file order kept


def test_history_csv_without_trailing_column_and_blank_last_line():
    text = "Date,USD\n2026-04-30,1.0812\n\n"
    assert parse_history_csv(text) == [EcbRate(date(2026, 4, 30), "USD", Decimal("1.0812"))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "empty"),
        ("Day,USD,\n", "line 1"),
        ("Date,usd,\n", "line 1, column 2: 'usd'"),
        ("Date,USD,USD\n", "repeated: USD"),
        ("Date,USD,JPY,\n2026-04-30,1.08\n", "line 2: 2 values"),
        ("Date,USD,JPY,\n2026-04-30,1.08,\n", "line 2, column JPY: rate ''"),
        ("Date,USD,\n2026-04-30,1.08,1.09,\n", "line 2: 3 values"),
        ("Date,USD,\n2026-04-30,1.08,\n2026-04-31,1.07,\n", "line 3, column Date: '2026-04-31'"),
        ("Date,USD,\n2026-04-30,abc,\n", "line 2, column USD: rate 'abc'"),
        ("Date,USD,\n2026-04-30,,\n", "line 2, column USD: rate ''"),
        ("Date,USD,\n2026-04-30,0,\n", "line 2, column USD: rate '0'"),
        ("Date,USD,\n2026-04-30,-1.2,\n", "rate '-1.2'"),
        ("Date,USD,\n2026-04-30,NaN,\n", "rate 'NaN'"),
        (
            "Date,USD,\n2026-04-30,1.08,\n2026-04-30,1.07,\n",
            "line 3: date 2026-04-30 appears twice",
        ),
    ],
)
def test_malformed_history_csv_names_the_line_and_value(text, expected):
    with pytest.raises(EcbFxError) as caught:
        parse_history_csv(text)
    assert "ECB history CSV" in str(caught.value)
    assert expected in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<gesmes:Envelope", "not well-formed"),
        ("<Envelope/>", "root element is <Envelope>"),
        (_daily("").replace("time=", "tame="), "no <Cube time=...>"),
        (
            _daily("").replace('xmlns="http://www.ecb.int', 'xmlns="http://example.org'),
            "no <Cube time=...>",
        ),
        (_daily("<Cube currency='USD' rate='1,08'/>"), "<Cube currency='USD' rate='1,08'>"),
        (_daily("<Cube currency='USD'/>"), "rate ''"),
        (_daily("<Cube currency='US' rate='1.08'/>"), "currency 'US'"),
        (
            _daily("<Cube currency='USD' rate='1.08'/><Cube currency='USD' rate='1.09'/>"),
            "repeats USD",
        ),
        (_daily("").replace("2026-04-30", "30.04.2026"), "<Cube time='30.04.2026'>: '30.04.2026'"),
    ],
)
def test_malformed_daily_xml_names_the_element_and_value(text, expected):
    with pytest.raises(EcbFxError) as caught:
        parse_daily_xml(text)
    assert "ECB daily XML" in str(caught.value)
    assert expected in str(caught.value)


def test_malformed_rate_error_names_the_day_element():
    with pytest.raises(EcbFxError, match=r"under <Cube time='2026-04-30'>"):
        parse_daily_xml(_daily("<Cube currency='USD' rate='x'/>"))


DAY = {
    "USD": Decimal("1.08"),
    "GBP": Decimal("0.85"),
    "IDR": Decimal(17500),
    "THB": Decimal("38.5"),
}
PRECISION = Context(prec=28)


def test_cross_rates_against_hand_computed_values():
    assert cross_rate(DAY, "USD", "GBP") == PRECISION.divide(Decimal("0.85"), Decimal("1.08"))
    assert str(cross_rate(DAY, "USD", "GBP")) == "0.7870370370370370370370370370"
    assert cross_rate(DAY, "GBP", "IDR") == PRECISION.divide(Decimal(17500), Decimal("0.85"))
    assert str(cross_rate(DAY, "GBP", "IDR")) == "20588.23529411764705882352941"
    assert cross_rate(DAY, "EUR", "THB") == Decimal("38.5")
    assert cross_rate(DAY, "THB", "EUR") == PRECISION.divide(1, Decimal("38.5"))
    assert cross_rate(DAY, "USD", "USD") == 1
    assert cross_rate(DAY, "EUR", "EUR") == 1
    assert cross_rate(DAY, "usd", "gbp") == cross_rate(DAY, "USD", "GBP")


def test_cross_rate_is_not_rounded_to_the_inputs_precision():
    rate = cross_rate(DAY, "USD", "GBP")
    assert len(rate.as_tuple().digits) == 28


def test_unknown_currency_is_a_key_error_naming_it():
    with pytest.raises(EcbFxError, match="'VND'") as caught:
        cross_rate(DAY, "USD", "VND")
    assert isinstance(caught.value, KeyError)
    with pytest.raises(KeyError, match="'SAR'"):
        cross_rate(DAY, "SAR", "USD")


def test_a_non_positive_rate_in_the_mapping_is_refused():
    with pytest.raises(EcbFxError, match="USD"):
        cross_rate({"USD": Decimal(0)}, "USD", "EUR")


def test_settings_default_to_the_ecb_itself_and_read_the_environment():
    """The ECB's files are public: FX needs no configuration, and never falls back to a
    sandbox (a sandbox run sets FX_ECB_BASE_URL to the sandbox's path)."""
    assert EcbFxSettings.from_env({}).base_url == ECB_PRODUCTION_BASE_URL
    sandbox = EcbFxSettings.from_env(sandbox_defaults.sandbox_environment("http://127.0.0.1:1"))
    assert sandbox.base_url == "http://127.0.0.1:1/stats/eurofxref"
    given = EcbFxSettings.from_env({"FX_ECB_BASE_URL": f" {ECB_PRODUCTION_BASE_URL}/ "})
    assert given.base_url == ECB_PRODUCTION_BASE_URL
    with pytest.raises(EcbFxError, match="FX_ECB_BASE_URL='ftp://x'"):
        EcbFxSettings.from_env({"FX_ECB_BASE_URL": "ftp://x"})
