"""`TikTokAdsClient` without a network: settings, the error table, windows, values, retries.

A scripted session answers each request, so what is sent, what is retried and what is kept
secret are checked exactly.
"""

from __future__ import annotations

import json
import logging
import pickle
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import requests

from connectors import sandbox_defaults
from connectors.rate_limit import RateLimiter
from connectors.retry import RetryPolicy
from connectors.tiktok_ads import (
    ERROR_CODES,
    PRODUCTION_BASE_URL,
    TikTokAdsApiError,
    TikTokAdsClient,
    TikTokAdsConfigError,
    TikTokAdsNotConfiguredError,
    TikTokAdsResponseError,
    TikTokAdsSettings,
    advertiser_local_today,
    compact_json,
    lookback_window,
    parse_metric_value,
    parse_metrics,
    parse_stat_day,
    split_date_range,
)

TOKEN = "unit-ads-token-5d1e"
SECRET = "unit-ads-secret-8c2b"
SETTINGS = TikTokAdsSettings(
    "https://ads.test", TOKEN, ("7001",), app_id="app-1", app_secret=SECRET, page_size=2
)
ADVERTISER = "7001"


# ---------------------------------------------------------------------------- settings


def test_no_credentials_means_not_configured_never_the_sandbox():
    assert not TikTokAdsSettings.is_configured({})
    with pytest.raises(TikTokAdsNotConfiguredError, match="--with-sandbox"):
        TikTokAdsSettings.from_env({})


def test_the_sandbox_environment_discovers_advertisers_with_default_limits():
    settings = TikTokAdsSettings.from_env(sandbox_defaults.sandbox_environment("http://x:1"))
    assert settings.base_url == "http://x:1"
    assert settings.access_token == sandbox_defaults.TIKTOK_ADS_SANDBOX_ACCESS_TOKEN
    assert settings.discovers_advertisers
    assert (settings.page_size, settings.report_window_days, settings.lookback_days) == (
        1000,
        30,
        7,
    )


def test_a_base_url_alone_names_the_missing_token_and_sends_no_sandbox_credentials():
    with pytest.raises(TikTokAdsConfigError) as raised:
        TikTokAdsSettings.from_env({"TIKTOK_ADS_BASE_URL": "https://proxy.example.com"})
    assert not isinstance(raised.value, TikTokAdsNotConfiguredError)
    assert "TIKTOK_ADS_ACCESS_TOKEN" in str(raised.value)


def test_full_credentials_default_to_production_and_dedupe_ids():
    settings = TikTokAdsSettings.from_env(
        {"TIKTOK_ADS_ACCESS_TOKEN": "t", "TIKTOK_ADS_ADVERTISER_IDS": " 71, 72 ,71,"}
    )
    assert settings.base_url == PRODUCTION_BASE_URL
    assert settings.advertiser_ids == ("71", "72")
    assert not settings.discovers_advertisers


def test_the_sandbox_environment_discovers_advertisers_through_the_app():
    env = sandbox_defaults.sandbox_environment("http://127.0.0.1:1")
    settings = TikTokAdsSettings.from_env(env)
    assert settings.discovers_advertisers and settings.app_id
    assert settings.base_url == "http://127.0.0.1:1"


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"TIKTOK_ADS_ACCESS_TOKEN": "t"}, ["TIKTOK_ADS_ADVERTISER_IDS"]),
        ({"TIKTOK_ADS_ADVERTISER_IDS": "71"}, ["TIKTOK_ADS_ACCESS_TOKEN"]),
        (
            {"TIKTOK_ADS_ACCESS_TOKEN": "t", "TIKTOK_ADS_APP_ID": "a"},
            ["TIKTOK_ADS_APP_SECRET"],
        ),
        (
            {"TIKTOK_ADS_APP_SECRET": "s", "TIKTOK_ADS_ADVERTISER_IDS": "71"},
            ["TIKTOK_ADS_ACCESS_TOKEN", "TIKTOK_ADS_APP_ID"],
        ),
    ],
)
def test_partial_credentials_name_what_is_missing(env, missing):
    with pytest.raises(TikTokAdsConfigError) as caught:
        TikTokAdsSettings.from_env(env)
    assert list(caught.value.missing) == missing
    assert all(name in str(caught.value) for name in missing)


def test_unconfirmed_limits_come_from_the_environment():
    sandbox = sandbox_defaults.sandbox_environment("http://x:1")
    settings = TikTokAdsSettings.from_env(
        {**sandbox, "TIKTOK_ADS_PAGE_SIZE": "200", "TIKTOK_ADS_REPORT_WINDOW_DAYS": "29"}
    )
    assert (settings.page_size, settings.report_window_days) == (200, 29)
    with pytest.raises(TikTokAdsConfigError, match="TIKTOK_ADS_PAGE_SIZE"):
        TikTokAdsSettings.from_env({**sandbox, "TIKTOK_ADS_PAGE_SIZE": "lots"})
    with pytest.raises(TikTokAdsConfigError, match="TIKTOK_ADS_REPORT_WINDOW_DAYS"):
        TikTokAdsSettings.from_env({**sandbox, "TIKTOK_ADS_REPORT_WINDOW_DAYS": "0"})


def test_base_url_is_the_host_even_when_given_with_the_api_root():
    settings = TikTokAdsSettings("https://business-api.tiktok.com/open_api/v1.3/", "t")
    assert settings.base_url == PRODUCTION_BASE_URL
    with pytest.raises(TikTokAdsConfigError):
        TikTokAdsSettings("business-api.tiktok.com", "t")


def test_token_and_secret_never_show_in_reprs():
    client = TikTokAdsClient(SETTINGS, limiter=RateLimiter(0))
    for text in (repr(SETTINGS), repr(client)):
        assert TOKEN not in text and SECRET not in text


# -------------------------------------------------------------------------- error table


def test_error_table_holds_every_reference_code_and_retries_only_transient_ones():
    reference = {40100, 40016, 40133, 40102, 40104, 40105, 40106, 40001, 40002, 40300}
    reference |= {50000, 50002, 60001, 40067}
    assert set(ERROR_CODES) == reference
    retryable = {code for code, info in ERROR_CODES.items() if info.retryable}
    assert retryable == {40100, 40016, 40133, 50000, 50002, 60001}
    assert {code for code, info in ERROR_CODES.items() if info.kind == "token"} == {
        40102,
        40104,
        40105,
        40106,
    }


def test_api_errors_carry_their_context_and_survive_pickling():
    error = TikTokAdsApiError(40102, "expired", "rid-1", 200, "/open_api/v1.3/ad/get/", "7001")
    assert (error.kind, error.retryable) == ("token", False)
    for part in ("40102", "rid-1", "HTTP 200", "/open_api/v1.3/ad/get/", "7001", "TIKTOK_ADS"):
        assert part in str(error)
    again = pickle.loads(pickle.dumps(error))
    assert (again.code, again.advertiser_id, str(again)) == (40102, "7001", str(error))


# ------------------------------------------------------------------- windows and values


def test_date_ranges_split_into_windows_of_at_most_the_configured_days():
    windows = split_date_range(date(2026, 10, 1), date(2026, 11, 14), 30)
    assert windows == [
        (date(2026, 10, 1), date(2026, 10, 30)),
        (date(2026, 10, 31), date(2026, 11, 14)),
    ]
    assert split_date_range(date(2026, 10, 1), date(2026, 10, 30), 30) == [
        (date(2026, 10, 1), date(2026, 10, 30))
    ]
    assert split_date_range(date(2026, 10, 1), date(2026, 10, 1), 30) == [
        (date(2026, 10, 1), date(2026, 10, 1))
    ]
    with pytest.raises(ValueError):
        split_date_range(date(2026, 10, 2), date(2026, 10, 1), 30)


def test_local_today_ahead_of_utc_is_already_tomorrow():
    now = datetime(2026, 11, 20, 18, 30, tzinfo=UTC)
    assert advertiser_local_today("Asia/Shanghai", now) == date(2026, 11, 21)
    assert advertiser_local_today("America/Los_Angeles", now) == date(2026, 11, 20)
    assert lookback_window(date(2026, 11, 21), 7) == (date(2026, 11, 15), date(2026, 11, 21))
    with pytest.raises(ValueError):
        advertiser_local_today("Asia/Shanghai", datetime(2026, 11, 20))
    with pytest.raises(ValueError):
        advertiser_local_today("Mars/Olympus", now)


def test_metric_values_parse_to_exact_numbers_and_dash_is_none_not_zero():
    assert parse_metric_value("video_play_actions", "-") is None
    assert parse_metric_value("impressions", "0") == 0
    assert parse_metric_value("spend", "12.30") == Decimal("12.30")
    assert isinstance(parse_metric_value("clicks", "17"), int)
    assert parse_metric_value("ctr", "1.25") == Decimal("1.25")
    assert parse_metric_value("campaign_name", "12") == "12"
    with pytest.raises(ValueError, match="impressions"):
        parse_metric_value("impressions", "1.5")
    with pytest.raises(ValueError, match="spend"):
        parse_metric_value("spend", "n/a")
    assert parse_metrics({"spend": "0.00", "likes": "-"}) == {
        "spend": Decimal("0.00"),
        "likes": None,
    }
    assert parse_stat_day("2026-10-05 00:00:00") == date(2026, 10, 5)


# --------------------------------------------------------------------- scripted session


@dataclass
class Sent:
    url: str
    params: dict
    headers: dict
    allow_redirects: bool


def http(status: int, body: bytes | str | dict) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    if isinstance(body, dict):
        body = json.dumps(body)
    response._content = body.encode() if isinstance(body, str) else body
    return response


def envelope(code: int = 0, data: dict | None = None, message: str = "OK") -> requests.Response:
    return http(200, {"code": code, "message": message, "request_id": f"rid-{code}", "data": data})


def page(numbers: list[int], number: int, total_page: int) -> requests.Response:
    """Page `number` whose rows are objects numbered `numbers` (rows are JSON objects)."""
    info = {"page": number, "page_size": 2, "total_number": 99, "total_page": total_page}
    return envelope(0, {"list": [{"n": n} for n in numbers], "page_info": info})


class ScriptedSession:
    def __init__(self, answers: list) -> None:
        self.answers = answers
        self.sent: list[Sent] = []

    def request(self, method, url, *, params, headers, timeout, allow_redirects):
        assert method == "GET"
        self.sent.append(Sent(url, dict(params), dict(headers), allow_redirects))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def scripted(answers: list, **kwargs) -> tuple[TikTokAdsClient, ScriptedSession, list[float]]:
    session = ScriptedSession(answers)
    sleeps: list[float] = []
    client = TikTokAdsClient(
        kwargs.pop("settings", SETTINGS),
        session=session,
        sleep=sleeps.append,
        retry=RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=0.002),
        limiter=RateLimiter(0),
        **kwargs,
    )
    return client, session, sleeps


def test_pages_follow_page_info_and_send_the_token_header_without_redirects():
    client, session, _ = scripted([page([1, 2], 1, 3), page([3, 4], 2, 3), page([5], 3, 3)])
    pages = list(client.iter_ads(ADVERTISER))
    assert [row["n"] for p in pages for row in p.rows] == [1, 2, 3, 4, 5]
    assert [s.params["page"] for s in session.sent] == ["1", "2", "3"]
    assert session.sent[0].url == "https://ads.test/open_api/v1.3/ad/get/"
    assert all(s.headers == {"Access-Token": TOKEN} for s in session.sent)
    assert not any(s.allow_redirects for s in session.sent)
    assert pages[1].params["page"] == "2" and pages[1].advertiser_id == ADVERTISER


def test_report_params_are_compact_json_and_windows_are_split():
    client, session, _ = scripted([page([1], 1, 1), page([2], 1, 1)])
    pages = list(
        client.iter_report_pages(
            ADVERTISER,
            "AUCTION_AD",
            date(2026, 10, 1),
            date(2026, 11, 4),
            ["spend", "impressions"],
            ["ad_id", "stat_time_day"],
        )
    )
    assert len(pages) == 2
    first, second = (s.params for s in session.sent)
    assert first["dimensions"] == '["ad_id","stat_time_day"]'
    assert first["metrics"] == compact_json(["spend", "impressions"]) == '["spend","impressions"]'
    assert (first["start_date"], first["end_date"]) == ("2026-10-01", "2026-10-30")
    assert (second["start_date"], second["end_date"]) == ("2026-10-31", "2026-11-04")
    assert first["report_type"] == "BASIC" and first["page_size"] == "2"


def test_bad_report_arguments_fail_before_anything_is_sent():
    client, session, _ = scripted([])
    with pytest.raises(ValueError, match="data_level"):
        client.iter_report_pages(
            ADVERTISER, "AD", date(2026, 1, 1), date(2026, 1, 2), ["spend"], ["ad_id"]
        )
    with pytest.raises(ValueError, match="advertiser_id"):
        client.iter_ads("not-an-id")
    assert session.sent == []


@pytest.mark.parametrize("code", [50000, 50002, 60001])
def test_system_and_maintenance_codes_are_retried(code):
    client, session, sleeps = scripted([envelope(code), page([1], 1, 1)])
    [response] = list(client.iter_campaigns(ADVERTISER))
    assert response.attempts == 2 and len(session.sent) == 2 and len(sleeps) == 1


@pytest.mark.parametrize(
    "answer", [http(200, '{"code": 0, "data": {"li'), http(200, b""), http(502, "<html>")]
)
def test_truncated_bodies_and_gateway_errors_are_retried(answer):
    client, _, _ = scripted([answer, page([1], 1, 1)])
    [response] = list(client.iter_campaigns(ADVERTISER))
    assert response.attempts == 2


def test_connection_errors_are_retried():
    client, _, _ = scripted([requests.exceptions.ConnectionError("refused"), page([1], 1, 1)])
    [response] = list(client.iter_adgroups(ADVERTISER))
    assert response.attempts == 2


def test_rate_limits_wait_at_least_the_rate_limit_backoff(caplog):
    client, _, sleeps = scripted(
        [envelope(40100), envelope(50000), page([1], 1, 1)], rate_limit_backoff=7.5
    )
    with caplog.at_level(logging.WARNING):
        list(client.iter_campaigns(ADVERTISER))
    assert sleeps[0] >= 7.5 and sleeps[1] < 1  # only the rate-limited attempt waits long
    assert "rate limited" in caplog.text


@pytest.mark.parametrize("code", [40102, 40104, 40105, 40106, 40001, 40002, 40300, 40067])
def test_token_permission_and_parameter_codes_fail_at_once(code):
    client, session, sleeps = scripted([envelope(code, message="no")])
    with pytest.raises(TikTokAdsApiError) as caught:
        list(client.iter_ads(ADVERTISER))
    assert len(session.sent) == 1 and sleeps == []
    error = caught.value
    assert (error.code, error.advertiser_id, error.request_id) == (code, ADVERTISER, f"rid-{code}")
    assert error.endpoint == "/open_api/v1.3/ad/get/" and error.http_status == 200


def test_retries_end_with_the_typed_error():
    client, session, _ = scripted([envelope(50002)] * 4)
    with pytest.raises(TikTokAdsApiError) as caught:
        list(client.iter_ads(ADVERTISER))
    assert caught.value.code == 50002 and caught.value.retryable and len(session.sent) == 4


def test_a_plain_404_is_not_retried_and_points_at_the_trailing_slash():
    client, session, _ = scripted([http(404, "404 page not found")])
    with pytest.raises(TikTokAdsResponseError, match="trailing slash") as caught:
        list(client.iter_ads(ADVERTISER))
    assert caught.value.http_status == 404 and len(session.sent) == 1


def test_secrets_echoed_by_the_server_are_redacted_and_the_secret_param_is_not_kept():
    echo = f"bad token {TOKEN} with secret {SECRET}"
    client, _, _ = scripted([envelope(0, {"list": [{"advertiser_id": "7001"}]})])
    response = client.get_authorized_advertisers()
    assert response.params == {"app_id": "app-1", "secret": "[REDACTED]"}
    client, _, _ = scripted([envelope(40105, message=echo)])
    with pytest.raises(TikTokAdsApiError) as caught:
        client.get_authorized_advertisers()
    assert TOKEN not in str(caught.value) and SECRET not in str(caught.value)


def test_advertisers_are_discovered_only_when_none_are_configured():
    found = envelope(0, {"list": [{"advertiser_id": 71}, {"advertiser_id": "72"}]})
    discovering = TikTokAdsSettings("https://ads.test", TOKEN, app_id="a", app_secret=SECRET)
    client, session, _ = scripted([found], settings=discovering)
    assert client.advertiser_ids() == ("71", "72")
    assert session.sent[0].params["secret"] == SECRET  # sent, but never kept
    client, session, _ = scripted([])
    assert client.advertiser_ids() == ("7001",) and session.sent == []


def test_advertiser_info_goes_in_batches_of_one_hundred():
    ids = [str(7000 + i) for i in range(230)] + ["7000"]
    client, session, _ = scripted([envelope(0, {"list": []}) for _ in range(3)])
    assert len(client.get_advertisers(ids)) == 3
    batches = [json.loads(s.params["advertiser_ids"]) for s in session.sent]
    assert [len(b) for b in batches] == [100, 100, 30]
    assert " " not in session.sent[0].params["advertiser_ids"]


def test_missing_token_sends_no_header():
    client, session, _ = scripted(
        [envelope(40104)], settings=TikTokAdsSettings("https://a.test", "", ("1",))
    )
    with pytest.raises(TikTokAdsApiError):
        list(client.iter_ads("1"))
    assert session.sent[0].headers == {}
