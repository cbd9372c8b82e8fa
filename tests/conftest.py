"""Shared fixtures: a temporary LINKSTAR_HOME and a sandbox the connectors point at."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
from dagster import DagsterInstance

from connectors import sandbox_defaults
from connectors.rate_limit import RateLimiter
from connectors.retry import RetryPolicy
from connectors.tiktok_shop import TikTokShopClient, TikTokShopSettings
from linkstar_pipeline.lib.clock import CLOCK_VARIABLE

# A fixed data clock keeps every run of the suite on the same orders.
AS_OF = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HISTORY_START = date(2026, 11, 1)

# ... and the pipeline's clock is pinned to it for the whole run (every worker imports this
# module; subprocesses — the `linkstar` and `dagster` CLIs, dbt — inherit the variable), so
# the default refresh range, month close and FX carry-forward never follow the real date.
# A test about another moment sets LINKSTAR_NOW itself (monkeypatch).
os.environ[CLOCK_VARIABLE] = AS_OF.isoformat()
# FX needs no credentials and defaults to the ECB itself: no test may reach the internet, so
# a test that does not point FX at a sandbox points it at a closed local port.
os.environ.setdefault("FX_ECB_BASE_URL", "http://127.0.0.1:9/stats/eurofxref")


@pytest.fixture
def linkstar_home(tmp_path, monkeypatch):
    home = tmp_path / "linkstar_home"
    monkeypatch.setenv("LINKSTAR_HOME", str(home))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    (tmp_path / "dagster_home").mkdir()
    return home


# Test sandboxes do not throttle, and clients pointed at one do not pace, unless a test sets
# limits: pacing and throttling have tests of their own (tests/unit/connectors/test_rate_limit.py
# and the throttling tests under tests/integration), while waiting out the 40 requests/s pace
# was over half of every e2e refresh (ingestion 67 s -> 30 s without it). `make run` and the
# CLI quickstart test keep the real sandbox limits and pacing.
UNTHROTTLED_PER_SECOND = 1_000_000


def point_connectors_at(monkeypatch, sandbox) -> None:
    """Every connector at this running sandbox; pacing off for an API it does not throttle."""
    for name, value in sandbox_defaults.sandbox_environment(sandbox.base_url).items():
        monkeypatch.setenv(name, value)
    settings = sandbox.settings
    for pace_variable, limit in (
        ("TIKTOK_SHOP_MAX_REQUESTS_PER_SECOND", settings.rate_limit_per_second),
        ("TIKTOK_ADS_MAX_REQUESTS_PER_SECOND", settings.ads_rate_limit_per_second),
    ):
        if limit >= UNTHROTTLED_PER_SECOND:
            monkeypatch.setenv(pace_variable, "0")


@contextmanager
def sandbox_running(**overrides) -> Iterator:
    from sandbox.server import SandboxSettings, running_sandbox

    settings = {
        "port": 0,
        "seed": 7,
        "start_date": HISTORY_START,
        "end_date": AS_OF.date(),
        "as_of": AS_OF,
        "orders_per_shop_day": 25,
        "rate_limit_per_second": UNTHROTTLED_PER_SECOND,
        "rate_limit_burst": UNTHROTTLED_PER_SECOND,
        "ads_rate_limit_per_second": UNTHROTTLED_PER_SECOND,
        "ads_rate_limit_burst": UNTHROTTLED_PER_SECOND,
    }
    settings.update(overrides)
    with running_sandbox(SandboxSettings(**settings)) as running:
        yield running


def shop_client_noting_rate_limit_keys(base_url: str) -> tuple[TikTokShopClient, list[str]]:
    """A TikTok Shop client (pacing off) and the list of the rate-limit key of each call."""
    keys: list[str] = []
    settings = TikTokShopSettings.from_env(environ=sandbox_defaults.sandbox_environment(base_url))
    retry = RetryPolicy(max_attempts=8, base_delay=0.01, max_delay=0.2)
    client = TikTokShopClient(
        settings, retry=retry, limiter_for=lambda key: keys.append(key) or RateLimiter(0)
    )
    return client, keys


def refresh(
    start: date, end: date, *, ingestion_only: bool = False, may_fail: tuple[str, ...] = ()
):
    """Run a refresh in-process over a range of days exactly as `linkstar run` does: ingest,
    then build and publish (`ingestion_only`: land the sources' raw files, skip the build).
    Every source but those in `may_fail` must load, and the build must succeed."""
    from linkstar_pipeline.lib.refresh_run import run_refresh

    outcome = run_refresh(DagsterInstance.get(), start, end, build=not ingestion_only)
    failed = [status for status in outcome.failed_sources if status.source not in may_fail]
    assert not failed, [status.line() for status in failed]
    assert ingestion_only or outcome.built, outcome.build_failures
    return outcome


# The longest files, started first so pytest-xdist's workers begin on them and the short
# files fill in around them. Files are handed out in collection order (`--no-loadscope-reorder`
# in pyproject.toml: by default xdist starts with the files holding the MOST tests, which put
# these one-test files last and left one worker running them alone at the end): one each,
# then more as a worker's queue runs low. The shared e2e refresh starts at once on another
# worker, so no e2e file waits for it while the first worker is on the stand-alone runs.
_LONG_FILES_FIRST = (
    "tests/e2e/test_killed_and_concurrent_runs.py",
    "tests/integration/test_one_writer.py",
    "tests/e2e/test_refresh_matches_ground_truth.py",
    "tests/integration/test_cli.py",
    "tests/e2e/test_reruns_and_late_changes.py",
    "tests/e2e/test_replay_from_raw.py",
    "tests/e2e/test_daylight_saving_days_match_ground_truth.py",
)


def pytest_collection_modifyitems(config, items):
    def rank(item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return (
            _LONG_FILES_FIRST.index(path) if path in _LONG_FILES_FIRST else len(_LONG_FILES_FIRST)
        )

    items.sort(key=rank)  # stable: the order within and after the long files is unchanged


@pytest.fixture
def webhook_receiver():
    """A local HTTP receiver for alerts: (url, JSON bodies received, statuses to answer — 200
    when the list runs out, and each request's path, headers and raw body bytes)."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    bodies: list = []
    statuses: list[int] = []
    requests_seen: list[dict] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            raw = self.rfile.read(length)
            requests_seen.append({"path": self.path, "headers": dict(self.headers), "raw": raw})
            bodies.append(json.loads(raw))
            self.send_response(statuses.pop(0) if statuses else 200)
            self.end_headers()

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        yield url, bodies, statuses, requests_seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server for this worker's session (tests/postgres_server.py)."""
    from tests.postgres_server import postgres_server

    with postgres_server() as server:
        yield server
