"""ECB euro reference rates for the sandbox: seeded daily rates and the `eurofxref-*` files.

Each currency follows a mean-reverting random walk in log space around a realistic level,
stepped once per calendar day from the ECB's first day (1999-01-04) with its own seeded
stream, so a day's rate is the same whatever window is generated. The history starts a year
before the first day the dataset has orders (`history_start`), as the real files reach back
to 1999: every day any source dates has a rate in force, the way a client of the real ECB
sees it. Rates exist on TARGET working days only, and BRL has a few `N/A` days so clients
meet missing rates. MYR has no
rate from Wednesday to Friday of one week in four (`GAP_CURRENCY`, `is_fx_gap_day`): the
Tuesday's rate is carried forward until Monday, 5 days old on the Sunday, past the
fx_rate_age check's 4 — the known "missing FX day" the trust test expects flagged for the shop
that sells in MYR. Short enough that the FX freshness of that shop only warns (under 168 h).
`EcbFxApi` serves the files the way `TikTokShopApi` serves orders: no HTTP server here.
"""

from __future__ import annotations

import io
import logging
import math
import random
import zipfile
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from sandbox.generator import DatasetConfig
from sandbox.tiktok_shop_api import ApiRequest, ApiResponse

logger = logging.getLogger(__name__)

PATH_PREFIX = "/stats/eurofxref/"
DAILY_XML_PATH = PATH_PREFIX + "eurofxref-daily.xml"
HISTORY_CSV_PATH = PATH_PREFIX + "eurofxref-hist.csv"
HISTORY_ZIP_PATH = PATH_PREFIX + "eurofxref-hist.zip"
HISTORY_CSV_MEMBER = "eurofxref-hist.csv"

ECB_FIRST_DAY = date(1999, 1, 4)
# The files start this many days before the dataset's first order day (its history days
# included): a sandbox choice. The real history reaches back to ECB_FIRST_DAY; a year covers
# every day the sandbox's sources date (ads start 40 days before the window) and the longest
# carry-forward, in a file of a few hundred lines.
HISTORY_LEAD_DAYS = 365
# Rates appear around 16:00 Frankfurt time; before that the previous working day is newest.
PUBLICATION_TIME = time(16, 0)
PUBLICATION_ZONE = ZoneInfo("Europe/Berlin")

# Units per EUR the walks revert to, and decimals as the ECB prints them. Listed in the
# ECB's own column order, which the files keep.
LEVELS: dict[str, tuple[Decimal, int]] = {
    "USD": (Decimal("1.08"), 4),
    "JPY": (Decimal(160), 2),
    "GBP": (Decimal("0.85"), 4),
    "BRL": (Decimal("6.0"), 4),
    "CNY": (Decimal("7.8"), 4),
    "IDR": (Decimal(17500), 2),
    "MXN": (Decimal("19.5"), 4),
    "MYR": (Decimal("4.9"), 4),
    "PHP": (Decimal(62), 4),
    "SGD": (Decimal("1.45"), 4),
    "THB": (Decimal("38.5"), 4),
}
# A daily log shock of 0.4% reverting 2% a day keeps rates within a few percent of the level.
_DAILY_SIGMA = 0.004
_REVERSION = 0.02
# BRL has no rate on the working days whose ordinal is a multiple of this (sandbox choice).
NA_CURRENCY = "BRL"
_NA_EVERY = 9
# MYR has no rate from Wednesday to Friday of every fourth week (Monday-aligned, counted from
# 0001-01-01, so the same days in any window): a sandbox choice, a known discrepancy.
GAP_CURRENCY = "MYR"
_GAP_EVERY_WEEKS = 4
_GAP_WEEKDAYS = (2, 3, 4)  # Wednesday to Friday

_XML_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
    'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">\n'
    "\t<gesmes:subject>Reference rates</gesmes:subject>\n"
    "\t<gesmes:Sender>\n"
    "\t\t<gesmes:name>European Central Bank</gesmes:name>\n"
    "\t</gesmes:Sender>\n"
    "\t<Cube>\n"
)
_XML_TAIL = "\t</Cube>\n</gesmes:Envelope>\n"

Rates = Mapping[date, Mapping[str, Decimal]]


# ------------------------------------------------------------------------------ calendar


def easter_sunday(year: int) -> date:
    """Western Easter by the anonymous Gregorian (Meeus/Jones/Butcher) algorithm."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def target_holidays(year: int) -> frozenset[date]:
    """TARGET closing days: New Year, Good Friday, Easter Monday, Labour Day, 25-26 December."""
    easter = easter_sunday(year)
    return frozenset(
        {
            date(year, 1, 1),
            easter - timedelta(days=2),
            easter + timedelta(days=1),
            date(year, 5, 1),
            date(year, 12, 25),
            date(year, 12, 26),
        }
    )


def is_target_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in target_holidays(day.year)


def published_through(as_of: datetime) -> date:
    """The newest calendar day whose rates are out at `as_of` (a working day or not)."""
    aware = as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
    local = aware.astimezone(PUBLICATION_ZONE)
    return local.date() if local.time() >= PUBLICATION_TIME else local.date() - timedelta(days=1)


# --------------------------------------------------------------------------------- rates


def history_start(config: DatasetConfig) -> date:
    """The first day of the sandbox's ECB history: HISTORY_LEAD_DAYS before the dataset's
    first order day (the first of its history days, else `start_date`)."""
    first_order_day = config.start_date - timedelta(days=config.history_days)
    return max(ECB_FIRST_DAY, first_order_day - timedelta(days=HISTORY_LEAD_DAYS))


def ecb_rates(config: DatasetConfig) -> dict[date, dict[str, Decimal]]:
    """Ground truth: units per EUR per TARGET working day in `[history_start, end_date]`.

    A currency missing from a day's dict had no rate that day (the files say `N/A`).
    """
    first = history_start(config)
    calendar = (first + timedelta(days=n) for n in range((config.end_date - first).days + 1))
    days = [day for day in calendar if is_target_working_day(day)]
    if not days:
        return {}
    walks = {
        currency: dict(_walk(config.seed, currency, level, decimals, days[0], days[-1]))
        for currency, (level, decimals) in LEVELS.items()
    }
    rates: dict[date, dict[str, Decimal]] = {}
    for day in days:
        quoted = {currency: walks[currency][day] for currency in LEVELS}
        if day.toordinal() % _NA_EVERY == 0:
            del quoted[NA_CURRENCY]
        if is_fx_gap_day(day):
            del quoted[GAP_CURRENCY]
        rates[day] = quoted
    return rates


def is_fx_gap_day(day: date) -> bool:
    """Whether GAP_CURRENCY has no rate on `day` (a gap weekday that is a working day)."""
    in_gap_week = (day.toordinal() - 1) // 7 % _GAP_EVERY_WEEKS == 0
    return in_gap_week and day.weekday() in _GAP_WEEKDAYS and is_target_working_day(day)


def rate_in_force(rates: Rates, currency: str, day: date) -> date | None:
    """The newest day on or before `day` that published a rate of `currency` (None: none yet):
    the rate a day without one carries forward."""
    return max((d for d, quoted in rates.items() if d <= day and currency in quoted), default=None)


@lru_cache(maxsize=256)  # every sandbox in a test run rebuilds the same windows
def _walk(
    seed: int, currency: str, level: Decimal, decimals: int, first: date, last: date
) -> tuple[tuple[date, Decimal], ...]:
    """The currency's rate on each day of `[first, last]`, stepped daily from the first ECB day."""
    rng = random.Random(f"{seed}:ecb-fx:{currency}")
    quantum = Decimal(1).scaleb(-decimals)
    out: list[tuple[date, Decimal]] = []
    deviation = 0.0  # log(rate / level)
    for ordinal in range(ECB_FIRST_DAY.toordinal(), last.toordinal() + 1):
        deviation = (1 - _REVERSION) * deviation + rng.gauss(0.0, _DAILY_SIGMA)
        if ordinal >= first.toordinal():
            rate = (level * Decimal(repr(math.exp(deviation)))).quantize(quantum)
            out.append((date.fromordinal(ordinal), rate))
    return tuple(out)


def _newest_day(rates: Rates, as_of_date: date) -> date | None:
    return max((day for day in rates if day <= as_of_date), default=None)


# --------------------------------------------------------------------------------- files


def daily_xml(rates: Rates, as_of_date: date) -> bytes:
    """`eurofxref-daily.xml` for the newest working day on or before `as_of_date`."""
    day = _newest_day(rates, as_of_date)
    if day is None:
        raise LookupError(f"no ECB rates published on or before {as_of_date}")
    entries = "".join(
        f"\t\t\t<Cube currency='{currency}' rate='{rate}'/>\n"
        for currency, rate in _in_column_order(rates[day])
    )
    body = f"{_XML_HEAD}\t\t<Cube time='{day.isoformat()}'>\n{entries}\t\t</Cube>\n{_XML_TAIL}"
    return body.encode("utf-8")


def history_csv(rates: Rates, as_of_date: date) -> bytes:
    """`eurofxref-hist.csv`: every day up to `as_of_date`, newest first, trailing empty column."""
    currencies = list(LEVELS)
    lines = [",".join(["Date", *currencies, ""])]
    for day in sorted((d for d in rates if d <= as_of_date), reverse=True):
        values = [str(rates[day][c]) if c in rates[day] else "N/A" for c in currencies]
        lines.append(",".join([day.isoformat(), *values, ""]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def history_zip(rates: Rates, as_of_date: date) -> bytes:
    """`eurofxref-hist.zip`: the CSV as its only member, with a stable timestamp."""
    newest = _newest_day(rates, as_of_date) or ECB_FIRST_DAY
    member = zipfile.ZipInfo(HISTORY_CSV_MEMBER, date_time=(*newest.timetuple()[:3], 16, 0, 0))
    member.compress_type = zipfile.ZIP_DEFLATED
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, history_csv(rates, as_of_date))
    return buffer.getvalue()


def _in_column_order(day_rates: Mapping[str, Decimal]) -> list[tuple[str, Decimal]]:
    return [(currency, day_rates[currency]) for currency in LEVELS if currency in day_rates]


# ----------------------------------------------------------------------------------- api


class EcbFxApi:
    """Answers `GET /stats/eurofxref/...` from the rates, as of the data clock; no auth."""

    def __init__(self, rates: Rates, clock: Callable[[], int]) -> None:
        self.rates = rates
        self._clock = clock

    def handle(self, request: ApiRequest) -> ApiResponse:
        if request.method != "GET":
            return _plain(405, f"{request.method} not allowed on {request.path}; use GET")
        as_of_date = published_through(datetime.fromtimestamp(self._clock(), UTC))
        if request.path == DAILY_XML_PATH:
            try:
                return ApiResponse(200, daily_xml(self.rates, as_of_date), "text/xml", None)
            except LookupError as err:
                return _plain(404, str(err))
        if request.path == HISTORY_CSV_PATH:
            return ApiResponse(200, history_csv(self.rates, as_of_date), "text/csv", None)
        if request.path == HISTORY_ZIP_PATH:
            return ApiResponse(200, history_zip(self.rates, as_of_date), "application/zip", None)
        return _plain(404, f"no such file: {request.path}")


def _plain(status: int, message: str) -> ApiResponse:
    return ApiResponse(status, message.encode("utf-8"), "text/plain", None)
