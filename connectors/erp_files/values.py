"""Typed values from export cells, whether the cell holds text, a number or a datetime.

The same column arrives as `¥1,234.50` in one vendor's CSV and as the number 1234.5 in
another's workbook; a date as `2026/11/5 14:03`, as an Excel datetime cell or as a bare
Excel serial number. Every parser takes any of those and returns one Python type:
`Decimal` for amounts (never float), `int`, an aware UTC `datetime`, or a `date`.
Empty cells and zero dates (`0000-00-00 00:00:00`) are None. Naive times are read on the
mapping's clock (Beijing for the Chinese ERPs) and converted to UTC.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from connectors.erp_files.columns import DATE, DATETIME, DECIMAL, INTEGER, MONEY, TEXT

BEIJING = ZoneInfo("Asia/Shanghai")

# Excel's day 0 in the 1900 date system (as corrected for the Lotus leap-year bug, which
# only shifts serials before March 1900 — far outside the accepted years).
EXCEL_EPOCH = datetime(1899, 12, 30)
_MAX_EXCEL_SERIAL = 2958465  # 9999-12-31
# Years an ERP export can plausibly mean; anything else is a wrong column or a placeholder.
FIRST_YEAR, LAST_YEAR = 1990, 2099
# Beyond 15 significant digits Excel has already rounded a number: an 18-digit TikTok order
# id typed as a number is a different id by the time it reaches us.
_EXACT_FLOAT_LIMIT = 10**15
_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Cells ERPs print for "no value" in number and date columns.
_EMPTY_MARKERS = frozenset({"", "-", "--", "—"})
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
# `="0123"` is the CSV trick that stops Excel from turning ids into numbers.
_EXCEL_TEXT_FORMULA = re.compile(r'^="(.*)"$', re.DOTALL)

_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+"
_PLAIN_NUMBER = re.compile(rf"^(?P<sign>[-+])?(?P<number>{_NUMBER})$")
_CURRENCY_BEFORE = r"RMB|CNY|USD|GBP|EUR|US\$|HK\$|\$|¥|£|€"
_CURRENCY_AFTER = r"RMB|CNY|USD|GBP|EUR|元"
_MONEY = re.compile(
    rf"^(?P<sign>[-+])?(?P<before>{_CURRENCY_BEFORE})?(?P<sign2>[-+])?"
    rf"(?P<number>{_NUMBER})(?P<after>{_CURRENCY_AFTER})?$",
    re.IGNORECASE,
)
_DATETIME_TEXT = re.compile(
    r"""^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?
        (?:(?:\s+|T)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.(?P<f>\d{1,6}))?)?)?
        \s*(?P<zone>Z|UTC|[+-]\d{2}:?\d{2})?$""",
    re.VERBOSE | re.IGNORECASE,
)
_ZERO_DATE = re.compile(r"^0{4}[-/.]0{1,2}[-/.]0{1,2}(?:[ T]0{1,2}:0{2}(?::0{2})?)?$")
_SERIAL_TEXT = re.compile(r"^\d{1,7}(?:\.\d+)?$")

DATE_FORMATS_HELP = (
    "expected e.g. 2026-11-05 14:03:22, 2026/11/5 14:03, 2026-11-05, an Excel date cell "
    "or an Excel serial number"
)


class CellValueError(ValueError):
    """A cell that cannot be read as its column's type; the message shows the value."""


# ------------------------------------------------------------------------------- text


def clean_text(value: str) -> str:
    """Trim spaces (also full-width and non-breaking) and invisible marks; unwrap `="…"`."""
    text = value.strip().strip(_INVISIBLE).strip()
    unwrapped = _EXCEL_TEXT_FORMULA.match(text)
    return unwrapped.group(1).strip() if unwrapped else text


def parse_text(value: object) -> str | None:
    """Text as written; numbers from workbook cells become their digits."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _text_from_float(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    text = clean_text(str(value))
    return text or None


# A text cell starting with one of these runs as a formula when the value is exported to a
# spreadsheet again (`=cmd|' /C calc'!A0`, `@SUM(...)`): CSV/formula injection. Leading tabs
# and carriage returns (the other OWASP leads) are trimmed by `clean_text` before the check.
FORMULA_LEADS = ("=", "+", "-", "@")
_CONTROL_NAMES = {0: "NUL", 9: "tab", 10: "line feed", 13: "carriage return", 127: "DEL"}


def parse_safe_text(value: object) -> str | None:
    """Text for a canonical text column: as `parse_text`, but never a control character
    (a NUL or line break inside a SKU splits one SKU into two) and never a formula.

    Refused rather than neutralised (e.g. with a leading `'`): a SKU or warehouse changed by
    the reader would no longer join to TikTok's, and such a cell is never a real value.
    Plain numbers (`-5`, `+86 …`) and the ERPs' dash for "none" are not formulas.
    """
    text = parse_text(value)
    if text is None:
        return None
    for position, char in enumerate(text, 1):
        if unicodedata.category(char) == "Cc":
            name = _CONTROL_NAMES.get(ord(char), "a control character")
            raise CellValueError(
                f"{_show(text)} contains U+{ord(char):04X} ({name}) at character {position}; "
                "remove it from the cell (it does not show in Excel but changes the value)"
            )
    if text.startswith(FORMULA_LEADS) and not _is_inert(text):
        raise CellValueError(
            f"{_show(text)} starts with {text[0]!r}, so a spreadsheet would run it as a "
            "formula; a text value cannot start with = + - @ (formula injection)"
        )
    return text


def _is_inert(text: str) -> bool:
    compact = _normalized(text)
    return compact in _EMPTY_MARKERS or _PLAIN_NUMBER.match(compact) is not None


def _text_from_float(value: float) -> str:
    if not math.isfinite(value):
        raise CellValueError(f"{value!r} is not text")
    if abs(value) >= _EXACT_FLOAT_LIMIT:
        raise CellValueError(
            f"{value!r} is a number Excel has rounded to 15 digits, so the id is lost; "
            "export or format this column as text"
        )
    return str(int(value)) if value.is_integer() else repr(value)


# ---------------------------------------------------------------------------- numbers


def parse_integer(value: object) -> int | None:
    """Whole numbers; `1,250` and `12.0` are fine, `12.5` is not."""
    number = _number(value, "a whole number", allow_currency=False, example="1,250")
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellValueError(f"{_show(value)} is not a whole number")
    return int(number)


def parse_decimal(value: object) -> Decimal | None:
    """Exact decimals; thousands separators allowed, currency symbols not."""
    return _number(value, "a number", allow_currency=False)


def parse_money(value: object) -> Decimal | None:
    """An amount: `1,234.50`, `¥12.30`, `RMB 12.30`, `12.30元`, `-$5`, `(5.00)`.

    A symbol is decoration only: the currency of an amount comes from its currency column
    (or the mapping's default), never from the symbol.
    """
    return _number(value, "a money amount", allow_currency=True)


def _number(
    value: object, what: str, *, allow_currency: bool, example: str = "1,234.50"
) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellValueError(f"{value!r} is not {what}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellValueError(f"{value!r} is not {what}")
        return Decimal(repr(value))  # the shortest repr: 12.3, not 12.300000000000000710
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise CellValueError(f"{value!r} is not {what}")
        return value
    if not isinstance(value, str):
        raise CellValueError(f"{_show(value)} ({type(value).__name__}) is not {what}")
    text = _normalized(value)
    if text in _EMPTY_MARKERS:
        return None
    number = _parse_number_text(text, allow_currency)
    if number is None:
        hint = "e.g. 1,234.50, ¥12.30 or RMB 12.30" if allow_currency else f"e.g. {example}"
        raise CellValueError(f"{_show(value)} is not {what} ({hint})")
    return number


def _parse_number_text(text: str, allow_currency: bool) -> Decimal | None:
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1]
    match = (_MONEY if allow_currency else _PLAIN_NUMBER).match(text)
    if match is None:
        return None
    signs = [s for s in (match.group("sign"), match.groupdict().get("sign2")) if s]
    if len(signs) > 1 or (negative and signs):
        return None
    groups = match.groupdict()
    if groups.get("before") and groups.get("after"):
        return None
    number = Decimal(match.group("number").replace(",", ""))  # the pattern admits digits only
    return -number if negative or signs == ["-"] else number


def _normalized(value: str) -> str:
    """NFKC turns full-width digits, signs and ￥ into ASCII; spaces are then meaningless."""
    text = unicodedata.normalize("NFKC", clean_text(value))
    return re.sub(r"\s+", "", text)


# ------------------------------------------------------------------------------ dates


def parse_datetime(value: object, tz: ZoneInfo = BEIJING) -> datetime | None:
    """An aware UTC datetime; naive cells and text are times on `tz`'s clock.

    Workbook times are rounded to the second: Excel stores them as fractions of a day and
    they come back a microsecond off. ERPs that store 0 for "not yet" print the Unix epoch
    (`1970-01-01 08:00:00` in Beijing); that is read as no value too.
    """
    local = _local_datetime(value, tz)
    if local is None or local.astimezone(UTC) == _UNIX_EPOCH:
        return None
    return _check_year(local, value).astimezone(UTC)


def parse_date(value: object) -> date | None:
    """A calendar day as written (no time-zone shift); a time part is ignored."""
    local = _local_datetime(value, BEIJING, keep_zone=False)
    return None if local is None else _check_year(local, value).date()


def _local_datetime(value: object, tz: ZoneInfo, *, keep_zone: bool = True) -> datetime | None:
    """The value as an aware datetime on `tz`'s clock (or its own stated offset)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellValueError(f"{value!r} is not a date ({DATE_FORMATS_HELP})")
    if isinstance(value, datetime):
        if value == EXCEL_EPOCH:  # a date cell holding 0: Excel shows it as 1900-01-00
            return None
        return _round_to_second(value).replace(tzinfo=value.tzinfo or tz)
    if isinstance(value, date):
        return datetime.combine(value, time()).replace(tzinfo=tz)
    if isinstance(value, int | float | Decimal):
        naive = _from_excel_serial(value)
        return None if naive is None else naive.replace(tzinfo=tz)
    if isinstance(value, time):
        raise CellValueError(f"{value.isoformat()} is a time without a date")
    if not isinstance(value, str):
        raise CellValueError(f"{_show(value)} ({type(value).__name__}) is not a date")
    return _datetime_from_text(value, tz, keep_zone)


def _datetime_from_text(value: str, tz: ZoneInfo, keep_zone: bool) -> datetime | None:
    text = unicodedata.normalize("NFKC", clean_text(value)).strip()
    if text in _EMPTY_MARKERS or _ZERO_DATE.match(text):
        return None
    if _SERIAL_TEXT.match(text):
        naive = _from_excel_serial(Decimal(text))
        return None if naive is None else naive.replace(tzinfo=tz)
    match = _DATETIME_TEXT.match(text)
    if match is None:
        raise CellValueError(f"{_show(value)} is not a date ({DATE_FORMATS_HELP})")
    parts = {k: int(v) for k, v in match.groupdict().items() if v and k not in ("f", "zone")}
    try:
        naive = datetime(
            parts["y"],
            parts["m"],
            parts["d"],
            parts.get("H", 0),
            parts.get("M", 0),
            parts.get("S", 0),
            int((match.group("f") or "0").ljust(6, "0")),
        )
    except ValueError as err:
        raise CellValueError(f"{_show(value)} is not a valid date ({err})") from None
    zone = match.group("zone")
    if zone and keep_zone:
        return naive.replace(tzinfo=_fixed_zone(zone))
    return naive.replace(tzinfo=tz)


def _from_excel_serial(serial: float | Decimal) -> datetime | None:
    """A naive local datetime from an Excel 1900-system serial (days since 1899-12-30)."""
    if isinstance(serial, float) and not math.isfinite(serial):
        raise CellValueError(f"{serial!r} is not a date")
    if serial == 0:
        return None
    if not 0 < serial <= _MAX_EXCEL_SERIAL:
        raise CellValueError(f"{serial} is not an Excel date serial number")
    seconds = round(Decimal(repr(serial) if isinstance(serial, float) else serial) * 86400)
    naive = EXCEL_EPOCH + timedelta(seconds=int(seconds))
    return _check_year(naive, serial)


def _round_to_second(moment: datetime) -> datetime:
    whole = moment.replace(microsecond=0)
    return whole + timedelta(seconds=1) if moment.microsecond >= 500_000 else whole


def _check_year(moment: datetime, original: object) -> datetime:
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise CellValueError(
            f"{_show(original)} is the year {moment.year}, outside {FIRST_YEAR}-{LAST_YEAR}: "
            "a number in a date column or a placeholder date?"
        )
    return moment


def _fixed_zone(designator: str) -> tzinfo:
    if designator.upper() in ("Z", "UTC"):
        return UTC
    sign = -1 if designator[0] == "-" else 1
    digits = designator[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


# --------------------------------------------------------------------------- dispatch

_PARSERS: dict[str, Callable[[object, ZoneInfo], object]] = {
    TEXT: lambda value, _tz: parse_safe_text(value),
    INTEGER: lambda value, _tz: parse_integer(value),
    DECIMAL: lambda value, _tz: parse_decimal(value),
    MONEY: lambda value, _tz: parse_money(value),
    DATETIME: parse_datetime,
    DATE: lambda value, _tz: parse_date(value),
}


def parse_value(value: object, column_type: str, tz: ZoneInfo = BEIJING) -> object:
    """The cell as `column_type` (one of `columns.COLUMN_TYPES`); None when empty."""
    if isinstance(value, str) and not clean_text(value):
        return None
    return _PARSERS[column_type](value, tz)


def _show(value: object) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."
