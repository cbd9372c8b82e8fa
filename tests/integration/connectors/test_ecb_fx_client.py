"""The ECB FX client against the sandbox over real HTTP on 127.0.0.1."""

import socket
import threading
from datetime import UTC, date, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from connectors.ecb_fx import (
    EcbFxClient,
    EcbFxError,
    EcbFxSettings,
    parse_daily_xml,
    parse_history_csv,
)
from connectors.retry import RetryPolicy
from sandbox.server import SandboxSettings, running_sandbox

SETTINGS = SandboxSettings(
    port=0,
    start_date=date(2026, 3, 20),
    end_date=date(2026, 4, 30),
    as_of=datetime(2026, 4, 30, 18, tzinfo=UTC),
    orders_per_shop_day=1,
)


@pytest.fixture(scope="module")
def sandbox():
    with running_sandbox(SETTINGS) as sb:
        yield sb


def _client(base_url: str, **kwargs) -> EcbFxClient:
    return EcbFxClient(EcbFxSettings(base_url), sleep=lambda _: None, **kwargs)


def _by_day(rates) -> dict[date, dict[str, Decimal]]:
    out: dict[date, dict[str, Decimal]] = {}
    for rate in rates:
        out.setdefault(rate.rate_date, {})[rate.currency] = rate.units_per_eur
    return out


def test_daily_xml_is_the_newest_day_of_the_ground_truth(sandbox):
    with _client(f"{sandbox.base_url}/stats/eurofxref") as client:
        fx_file = client.fetch_daily_xml()
    assert fx_file.url == f"{sandbox.base_url}/stats/eurofxref/eurofxref-daily.xml"
    assert fx_file.http_status == 200
    assert fx_file.fetched_at.tzinfo is UTC
    assert _by_day(parse_daily_xml(fx_file.text)) == {
        date(2026, 4, 30): sandbox.fx_rates[date(2026, 4, 30)]
    }


def test_history_zip_matches_every_rate_of_the_ground_truth(sandbox):
    with _client(f"{sandbox.base_url}/stats/eurofxref/") as client:
        fx_file = client.fetch_history_csv()
    assert fx_file.url.endswith("/stats/eurofxref/eurofxref-hist.zip")
    assert fx_file.text.startswith("Date,USD,")
    assert _by_day(parse_history_csv(fx_file.text)) == sandbox.fx_rates
    assert any("BRL" not in day for day in sandbox.fx_rates.values())


def test_files_and_content_types_over_plain_http(sandbox):
    base = f"{sandbox.base_url}/stats/eurofxref"
    daily = requests.get(f"{base}/eurofxref-daily.xml", timeout=5)
    csv_file = requests.get(f"{base}/eurofxref-hist.csv", timeout=5)
    zipped = requests.get(f"{base}/eurofxref-hist.zip", timeout=5)
    assert daily.headers["Content-Type"].startswith("text/xml")
    assert csv_file.headers["Content-Type"].startswith("text/csv")
    assert zipped.headers["Content-Type"] == "application/zip"
    with _client(base) as client:
        assert client.fetch_history_csv().text == csv_file.text


def test_the_data_clock_decides_the_newest_day():
    settings = SandboxSettings(
        port=0,
        start_date=date(2026, 3, 20),
        end_date=date(2026, 4, 30),
        as_of=datetime(2026, 4, 6, 12, tzinfo=UTC),  # Easter Monday: newest is Thursday
        orders_per_shop_day=1,
    )
    with running_sandbox(settings) as sb, _client(f"{sb.base_url}/stats/eurofxref") as client:
        daily = parse_daily_xml(client.fetch_daily_xml().text)
        history = parse_history_csv(client.fetch_history_csv().text)
        sb.set_as_of(datetime(2026, 4, 7, 15, tzinfo=UTC))  # 17:00 in Frankfurt: published
        later = parse_daily_xml(client.fetch_daily_xml().text)
    assert {r.rate_date for r in daily} == {date(2026, 4, 2)}
    assert max(r.rate_date for r in history) == date(2026, 4, 2)
    assert {r.rate_date for r in later} == {date(2026, 4, 7)}


def test_unreachable_base_url_names_it_after_the_retries():
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}/stats/eurofxref"
    sleeps: list[float] = []
    client = EcbFxClient(
        EcbFxSettings(base), retry=RetryPolicy(max_attempts=3), sleep=sleeps.append, timeout=2
    )
    with client, pytest.raises(EcbFxError, match="could not be reached") as caught:
        client.fetch_daily_xml()
    assert f"{base}/eurofxref-daily.xml" in str(caught.value)
    assert caught.value.url == f"{base}/eurofxref-daily.xml"
    assert len(sleeps) == 2


def test_a_missing_file_is_a_clear_error_without_retries(sandbox):
    sleeps: list[float] = []
    client = EcbFxClient(EcbFxSettings(f"{sandbox.base_url}/stats/nothing"), sleep=sleeps.append)
    with client, pytest.raises(EcbFxError, match="HTTP 404") as caught:
        client.fetch_history_csv()
    assert f"{sandbox.base_url}/stats/nothing/eurofxref-hist.zip" in str(caught.value)
    assert caught.value.http_status == 404
    assert sleeps == []


def test_the_tiktok_shop_api_still_answers_beside_fx(sandbox):
    answer = requests.get(f"{sandbox.base_url}/authorization/202309/shops", timeout=5)
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    assert answer.json()["code"] != 0  # unsigned: refused by the shop API, not the FX handler


class _Scripted(BaseHTTPRequestHandler):
    """Answers each GET with the next (status, body) of the server's script."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        status, body = self.server.script.pop(0)  # type: ignore[attr-defined]
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def scripted():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Scripted)
    server.script = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _base(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/stats/eurofxref"


def test_429_and_5xx_are_retried_with_jittered_sleeps(scripted, sandbox):
    good = requests.get(f"{sandbox.base_url}/stats/eurofxref/eurofxref-hist.zip", timeout=5)
    scripted.script = [(429, b"slow down"), (503, b"busy"), (200, good.content)]
    sleeps: list[float] = []
    policy = RetryPolicy(max_attempts=3, base_delay=1.0)
    with EcbFxClient(EcbFxSettings(_base(scripted)), retry=policy, sleep=sleeps.append) as client:
        fx_file = client.fetch_history_csv()
    assert _by_day(parse_history_csv(fx_file.text)) == sandbox.fx_rates
    assert len(sleeps) == 2 and 0 <= sleeps[0] <= 1.0 and 0 <= sleeps[1] <= 2.0


def test_5xx_on_every_attempt_ends_in_an_error_naming_url_and_status(scripted):
    scripted.script = [(502, b"<html>bad gateway</html>")] * 2
    client = EcbFxClient(
        EcbFxSettings(_base(scripted)), retry=RetryPolicy(max_attempts=2), sleep=lambda _: None
    )
    with client, pytest.raises(EcbFxError, match="HTTP 502: <html>bad gateway") as caught:
        client.fetch_daily_xml()
    assert "eurofxref-daily.xml" in str(caught.value)


def test_a_bad_zip_or_unparsable_file_is_not_retried(scripted):
    scripted.script = [(200, b"PK\x03\x04 not really a zip"), (200, b"<html>maintenance</html>")]
    with _client(_base(scripted)) as client:
        with pytest.raises(EcbFxError, match=r"eurofxref-hist\.zip: not a readable zip"):
            client.fetch_history_csv()
        with pytest.raises(EcbFxError, match=r"eurofxref-daily\.xml: ECB daily XML: root"):
            client.fetch_daily_xml()
    assert scripted.script == []
