"""European Central Bank euro foreign exchange reference rates: fetch, parse, cross.

The ECB publishes one set of rates per TARGET working day (~16:00 CET), always against EUR:
a rate is units of the currency per 1 EUR, so any other pair is a cross rate. Two files
matter: `eurofxref-daily.xml` (the newest day) and `eurofxref-hist.zip` (every day since
1999 as one CSV, newest first, `N/A` where a currency had no rate). No credentials are needed.
Rates stay `Decimal` from the file to the caller; a float would change the printed rate.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import random
import re
import time
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Context, Decimal, InvalidOperation
from typing import Any
from xml.etree import ElementTree

import requests

from connectors.rate_limit import rate_from_env, shared_limiter
from connectors.retry import RetryableError, RetryPolicy, run_with_retries
from connectors.session import SessionOwner

logger = logging.getLogger(__name__)

ECB_PRODUCTION_BASE_URL = "https://www.ecb.europa.eu/stats/eurofxref"
ENV_BASE_URL = "FX_ECB_BASE_URL"
ENV_MAX_REQUESTS_PER_SECOND = "FX_ECB_MAX_REQUESTS_PER_SECOND"
# A public static-file server: a run needs one or two files, so one request a second (after a
# burst of a few, for retries) is polite.
DEFAULT_MAX_REQUESTS_PER_SECOND = 1.0
_BURST = 5
DAILY_XML_FILE = "eurofxref-daily.xml"
HISTORY_ZIP_FILE = "eurofxref-hist.zip"
HISTORY_CSV_MEMBER = "eurofxref-hist.csv"

ECB_NAMESPACE = "http://www.ecb.int/vocabulary/2002-08-01/eurofxref"
GESMES_NAMESPACE = "http://www.gesmes.org/xml/2002-08-01"
_CUBE = f"{{{ECB_NAMESPACE}}}Cube"
_ENVELOPE = f"{{{GESMES_NAMESPACE}}}Envelope"

BASE_CURRENCY = "EUR"
NO_RATE = "N/A"
# Cross rates divide two rates of ~5 significant digits; 28 digits keeps every digit that
# matters and leaves rounding to whoever books the amount.
CROSS_RATE_CONTEXT = Context(prec=28)

_CURRENCY_CODE = re.compile(r"[A-Z]{3}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# The unzipped history is ~2 MB today; anything far larger is not the ECB's file.
_MAX_UNZIPPED_BYTES = 64 * 1024 * 1024
_SNIPPET_CHARS = 200


# ------------------------------------------------------------------------------- errors


class EcbFxError(Exception):
    """Anything wrong with the ECB rates: unreachable, an HTTP error, or a file that does not parse."""

    def __init__(self, message: str, url: str = "", http_status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.http_status = http_status

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.url, self.http_status))


class EcbFxUnknownCurrencyError(EcbFxError, KeyError):
    """A cross rate asked for a currency the rates do not quote (also a `KeyError`)."""

    def __init__(self, message: str, currency: str = "") -> None:
        super().__init__(message)
        self.currency = currency

    def __str__(self) -> str:  # KeyError would print the message as a quoted repr
        return str(self.args[0]) if self.args else ""

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.currency))


# ------------------------------------------------------------------------------ records


@dataclass(frozen=True)
class EcbRate:
    """One published rate: `units_per_eur` units of `currency` buy 1 EUR on `rate_date`."""

    rate_date: date
    currency: str
    units_per_eur: Decimal


@dataclass(frozen=True)
class FxFile:
    """One fetched file, kept verbatim so it can be landed raw and parsed again later."""

    url: str
    fetched_at: datetime  # aware, UTC
    http_status: int
    text: str  # the file's content exactly (for the zip: the CSV member inside it)


# ----------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class EcbFxSettings:
    """Where the `eurofxref-*` files live; the ECB needs no credentials."""

    base_url: str
    max_requests_per_second: float = DEFAULT_MAX_REQUESTS_PER_SECOND

    def __post_init__(self) -> None:
        base_url = self.base_url.strip().rstrip("/")
        if not base_url.startswith(("http://", "https://")):
            raise EcbFxError(
                f"{ENV_BASE_URL}={base_url!r} must start with http:// or https:// "
                f"(e.g. {ECB_PRODUCTION_BASE_URL})",
                url=base_url,
            )
        object.__setattr__(self, "base_url", base_url)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> EcbFxSettings:
        """`FX_ECB_BASE_URL`, or the ECB itself when unset: its files are public, so FX needs no
        configuration (a sandbox run sets the variable to the sandbox's path)."""
        env = os.environ if environ is None else environ
        base_url = (env.get(ENV_BASE_URL) or "").strip()
        try:
            pace = rate_from_env(ENV_MAX_REQUESTS_PER_SECOND, DEFAULT_MAX_REQUESTS_PER_SECOND, env)
        except ValueError as err:
            raise EcbFxError(str(err)) from None
        return cls(base_url or ECB_PRODUCTION_BASE_URL, pace)


# ------------------------------------------------------------------------------ parsing


def parse_daily_xml(text: str) -> list[EcbRate]:
    """Rates from `eurofxref-daily.xml` (also the 90-day and full-history XML files).

    The file is a `gesmes:Envelope` whose ECB-namespaced `Cube` holds one `Cube time=` per day,
    each holding `Cube currency= rate=` entries.
    """
    try:
        root = ElementTree.fromstring(text.lstrip("\ufeff"))
    except ElementTree.ParseError as err:
        raise EcbFxError(f"ECB daily XML is not well-formed XML: {err}") from None
    if root.tag != _ENVELOPE:
        raise EcbFxError(f"ECB daily XML: root element is <{root.tag}>, expected <gesmes:Envelope>")
    days = [cube for cube in root.iter(_CUBE) if "time" in cube.attrib]
    if not days:
        raise EcbFxError(
            f"ECB daily XML has no <Cube time=...> element in namespace {ECB_NAMESPACE}"
        )
    rates: list[EcbRate] = []
    seen: set[tuple[date, str]] = set()
    for day in days:
        rate_date = _parse_date(
            day.attrib["time"], f"ECB daily XML <Cube time={day.attrib['time']!r}>"
        )
        for entry in day.findall(_CUBE):
            where = f"ECB daily XML <Cube {_attributes(entry)}> under <Cube time='{rate_date}'>"
            currency = _parse_currency(entry.attrib.get("currency", ""), where)
            rate = _parse_rate(entry.attrib.get("rate", ""), where)
            if (rate_date, currency) in seen:
                raise EcbFxError(f"{where}: repeats {currency} for {rate_date}")
            seen.add((rate_date, currency))
            rates.append(EcbRate(rate_date, currency, rate))
    return rates


def parse_history_csv(text: str) -> list[EcbRate]:
    """Rates from `eurofxref-hist.csv`: `Date,USD,JPY,...` then one row per day, newest first.

    `N/A` means no rate that day and is skipped (never zero); an empty trailing column and
    whitespace around values are tolerated. Rows keep the file's order.
    """
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(rows, None)
    if header is None:
        raise EcbFxError("ECB history CSV is empty (no header line)")
    currencies = _history_header([cell.strip() for cell in header])
    rates: list[EcbRate] = []
    dates: set[date] = set()
    for row in rows:
        line = rows.line_num
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue  # blank lines, e.g. the file's last newline
        while len(cells) > len(currencies) + 1 and cells[-1] == "":
            cells.pop()  # the trailing empty column
        if len(cells) != len(currencies) + 1:
            raise EcbFxError(
                f"ECB history CSV line {line}: {len(cells)} values, the header has "
                f"{len(currencies) + 1} (Date + {len(currencies)} currencies): {_snippet(row)}"
            )
        rate_date = _parse_date(cells[0], f"ECB history CSV line {line}, column Date")
        if rate_date in dates:
            raise EcbFxError(f"ECB history CSV line {line}: date {rate_date} appears twice")
        dates.add(rate_date)
        for currency, value in zip(currencies, cells[1:], strict=True):
            if value == NO_RATE:
                continue
            rate = _parse_rate(value, f"ECB history CSV line {line}, column {currency}")
            rates.append(EcbRate(rate_date, currency, rate))
    return rates


def _history_header(cells: list[str]) -> list[str]:
    """Currency columns of the header line; only the last column may be empty."""
    while len(cells) > 1 and cells[-1] == "":
        cells = cells[:-1]
    if not cells or cells[0] != "Date":
        raise EcbFxError(f"ECB history CSV line 1: expected a header starting 'Date', got {cells}")
    currencies = cells[1:]
    for column, currency in enumerate(currencies, start=2):
        if not _CURRENCY_CODE.fullmatch(currency):
            raise EcbFxError(
                f"ECB history CSV line 1, column {column}: {currency!r} is not a currency code"
            )
    duplicates = sorted({c for c in currencies if currencies.count(c) > 1})
    if duplicates:
        raise EcbFxError(f"ECB history CSV line 1: columns repeated: {', '.join(duplicates)}")
    return currencies


def _parse_date(value: str, where: str) -> date:
    value = value.strip()
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise EcbFxError(f"{where}: {value!r} is not a YYYY-MM-DD date") from None


def _parse_currency(value: str, where: str) -> str:
    value = value.strip()
    if not _CURRENCY_CODE.fullmatch(value):
        raise EcbFxError(f"{where}: currency {value!r} is not a 3-letter code")
    return value


def _parse_rate(value: str, where: str) -> Decimal:
    value = value.strip()
    try:
        rate = Decimal(value)
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite() or rate <= 0:
        raise EcbFxError(f"{where}: rate {value!r} is not a positive decimal number")
    return rate


def _attributes(element: ElementTree.Element) -> str:
    return " ".join(f"{key}={value!r}" for key, value in element.attrib.items())


def _snippet(value: object) -> str:
    text = str(value)
    return text if len(text) <= _SNIPPET_CHARS else text[:_SNIPPET_CHARS] + "..."


# -------------------------------------------------------------------------- cross rates


def cross_rate(
    units_per_eur: Mapping[str, Decimal], from_currency: str, to_currency: str
) -> Decimal:
    """How many `to_currency` units one `from_currency` unit buys: rate(to) / rate(from).

    `units_per_eur` is one day's rates; EUR is always 1. Not rounded: round when booking.
    """
    source = _units_per_eur(units_per_eur, from_currency)
    target = _units_per_eur(units_per_eur, to_currency)
    return CROSS_RATE_CONTEXT.divide(target, source)


def _units_per_eur(rates: Mapping[str, Decimal], currency: str) -> Decimal:
    code = currency.strip().upper()
    if code == BASE_CURRENCY:
        return Decimal(1)
    if code not in rates:
        quoted = ", ".join(sorted(rates)) or "none"
        raise EcbFxUnknownCurrencyError(
            f"no ECB rate for {currency!r} among the given rates (quoted: EUR, {quoted})", code
        )
    rate = rates[code]
    if not isinstance(rate, Decimal) or not rate.is_finite() or rate <= 0:
        raise EcbFxError(f"the rate for {code} must be a positive Decimal, got {rate!r}")
    return rate


# ------------------------------------------------------------------------------- client


class EcbFxClient(SessionOwner):
    """Fetches the ECB files with bounded, jittered retries; every file is checked to parse."""

    def __init__(
        self,
        settings: EcbFxSettings,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._adopt_session(session)
        self._sleep = sleep
        self._rng = rng or random.Random()
        rate = settings.max_requests_per_second
        self._limiter = shared_limiter("ecb_fx", settings.base_url, rate, _BURST)

    def __repr__(self) -> str:
        return f"EcbFxClient(base_url={self.settings.base_url!r})"

    def fetch_daily_xml(self) -> FxFile:
        """`eurofxref-daily.xml`: the newest published day."""
        url = f"{self.settings.base_url}/{DAILY_XML_FILE}"
        status, fetched_at, body = self._get(url)
        text = _decode(body, url)
        _check_parses(parse_daily_xml, text, url)
        return FxFile(url, fetched_at, status, text)

    def fetch_history_csv(self) -> FxFile:
        """`eurofxref-hist.zip`, unzipped: every day since 1999 as CSV (`text` is the CSV)."""
        url = f"{self.settings.base_url}/{HISTORY_ZIP_FILE}"
        status, fetched_at, body = self._get(url)
        text = _decode(_unzip_history(body, url), url)
        _check_parses(parse_history_csv, text, url)
        return FxFile(url, fetched_at, status, text)

    def _get(self, url: str) -> tuple[int, datetime, bytes]:
        """One GET with bounded retries; the typed error after the last try."""
        return run_with_retries(
            lambda attempt: self._attempt(url, attempt),
            self.retry,
            rng=self._rng,
            sleep=self._sleep,
            describe=f"ECB FX GET {url}",
            log=logger,
        )

    def _attempt(self, url: str, attempt: int) -> tuple[int, datetime, bytes]:
        self._limiter.acquire()
        try:
            response = self._session.get(url, timeout=self.timeout)
        except requests.exceptions.ChunkedEncodingError:
            error = EcbFxError(f"ECB FX {url} dropped the connection mid-answer", url)
            raise RetryableError("connection dropped", error) from None
        except requests.exceptions.Timeout:
            what = f"gave no answer within {self.timeout:g}s"
            raise RetryableError("timeout", EcbFxError(f"ECB FX {url} {what}", url)) from None
        except requests.exceptions.ConnectionError as err:
            reason = type(err).__name__
            error = EcbFxError(f"ECB FX {url} could not be reached ({reason})", url)
            raise RetryableError(reason, error) from None
        fetched_at = datetime.now(UTC)
        status = response.status_code
        logger.debug("ECB FX GET %s -> HTTP %d attempt=%d", url, status, attempt)
        if status == 200:
            return status, fetched_at, response.content
        body = _snippet(response.content.decode("utf-8", errors="replace").strip())
        error = EcbFxError(
            f"ECB FX {url} answered HTTP {status}: {body or 'empty body'}", url, status
        )
        if status == 429 or status >= 500:
            raise RetryableError(f"HTTP {status}", error)
        raise error


def _decode(body: bytes, url: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise EcbFxError(f"ECB FX {url}: the file is not UTF-8 text ({err})", url) from None


def _unzip_history(body: bytes, url: str) -> bytes:
    """The `eurofxref-hist.csv` member of the history zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            names = archive.namelist()
            if HISTORY_CSV_MEMBER not in names:
                raise EcbFxError(
                    f"ECB FX {url}: the zip has no {HISTORY_CSV_MEMBER} (members: {names})", url
                )
            if archive.getinfo(HISTORY_CSV_MEMBER).file_size > _MAX_UNZIPPED_BYTES:
                raise EcbFxError(
                    f"ECB FX {url}: {HISTORY_CSV_MEMBER} unzips to more than "
                    f"{_MAX_UNZIPPED_BYTES} bytes; refusing it",
                    url,
                )
            return archive.read(HISTORY_CSV_MEMBER)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error) as err:
        raise EcbFxError(f"ECB FX {url}: not a readable zip file ({err})", url) from None


def _check_parses(parse: Callable[[str], list[EcbRate]], text: str, url: str) -> None:
    """Fail at fetch time, naming the URL, rather than when the landed file is read later."""
    try:
        parse(text)
    except EcbFxError as err:
        raise EcbFxError(f"ECB FX {url}: {err}", url) from None
