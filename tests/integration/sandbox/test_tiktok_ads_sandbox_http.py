"""The sandbox's TikTok Marketing API over real HTTP, called the way the reference describes:
`Access-Token` header, JSON-encoded list parameters, HTTP 200 with the code in the envelope."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import requests

from connectors.sandbox_defaults import (
    TIKTOK_ADS_SANDBOX_ACCESS_TOKEN as TOKEN,
)
from connectors.sandbox_defaults import (
    TIKTOK_ADS_SANDBOX_APP_ID as APP_ID,
)
from connectors.sandbox_defaults import (
    TIKTOK_ADS_SANDBOX_APP_SECRET as APP_SECRET,
)
from connectors.sandbox_defaults import (
    TIKTOK_ADS_SANDBOX_EXPIRED_ACCESS_TOKEN as EXPIRED_TOKEN,
)
from sandbox.server import SandboxSettings, running_sandbox

AS_OF = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ROOT = "/open_api/v1.3"
REPORT = f"{ROOT}/report/integrated/get/"


@pytest.fixture(scope="module")
def sb():
    settings = SandboxSettings(
        port=0,
        as_of=AS_OF,
        start_date=date(2026, 11, 18),
        end_date=date(2026, 11, 20),
        orders_per_shop_day=1,
        ads_rate_limit_per_second=1000,
        ads_rate_limit_burst=1000,
    )
    with running_sandbox(settings) as running:
        yield running


def call(base_url: str, path: str, params: dict | None = None, token: str | None = TOKEN):
    encoded = {
        k: json.dumps(v, separators=(",", ":")) if isinstance(v, list | dict) else str(v)
        for k, v in (params or {}).items()
    }
    headers = {} if token is None else {"Access-Token": token}
    return requests.get(base_url + path, params=encoded, headers=headers, timeout=10)


def report_params(advertiser_id: str, **changes) -> dict:
    params = {
        "advertiser_id": advertiser_id,
        "report_type": "BASIC",
        "data_level": "AUCTION_AD",
        "dimensions": ["ad_id", "stat_time_day"],
        "metrics": ["spend", "impressions", "ctr", "video_play_actions", "ad_name", "currency"],
        "start_date": "2026-11-01",
        "end_date": "2026-11-20",
        "page_size": 1000,
    }
    return {**params, **changes}


def first_advertiser(sb) -> str:
    return sb.ads_dataset.advertisers[0].advertiser_id


def test_a_path_without_its_trailing_slash_is_not_found(sb):
    response = call(sb.base_url, REPORT.rstrip("/"), report_params(first_advertiser(sb)))
    assert response.status_code == 404
    assert "json" not in response.headers["Content-Type"]


@pytest.mark.parametrize(
    ("token", "code"), [(None, 40104), ("nope", 40105), (EXPIRED_TOKEN, 40102)]
)
def test_token_problems_answer_http_200_with_the_code_in_the_envelope(sb, token, code):
    response = call(sb.base_url, f"{ROOT}/campaign/get/", {"advertiser_id": "1"}, token=token)
    body = response.json()
    assert response.status_code == 200
    assert body["code"] == code and body["request_id"] and body["message"]


def test_advertiser_discovery_needs_the_apps_secret(sb):
    good = call(
        sb.base_url, f"{ROOT}/oauth2/advertiser/get/", {"app_id": APP_ID, "secret": APP_SECRET}
    )
    assert len(good.json()["data"]["list"]) == len(sb.ads_dataset.advertisers)
    bad = call(sb.base_url, f"{ROOT}/oauth2/advertiser/get/", {"app_id": APP_ID, "secret": "x"})
    assert bad.json()["code"] == 40001


def test_unknown_advertisers_answer_40300(sb):
    body = call(sb.base_url, f"{ROOT}/ad/get/", {"advertiser_id": "123"}).json()
    assert body["code"] == 40300


def test_advertiser_info_takes_a_json_list_of_at_most_one_hundred_ids(sb):
    ids = [a.advertiser_id for a in sb.ads_dataset.advertisers]
    body = call(sb.base_url, f"{ROOT}/advertiser/info/", {"advertiser_ids": ids}).json()
    assert [row["advertiser_id"] for row in body["data"]["list"]] == ids
    too_many = call(sb.base_url, f"{ROOT}/advertiser/info/", {"advertiser_ids": ids * 9}).json()
    assert too_many["code"] == 40002


def test_report_rows_carry_string_values_and_the_local_day(sb):
    body = call(sb.base_url, REPORT, report_params(first_advertiser(sb))).json()
    assert body["code"] == 0
    info = body["data"]["page_info"]
    assert info["total_number"] == len(body["data"]["list"]) > 0 and info["total_page"] == 1
    row = body["data"]["list"][0]
    assert set(row["dimensions"]) == {"ad_id", "stat_time_day"}
    assert row["dimensions"]["stat_time_day"].endswith(" 00:00:00")
    assert all(isinstance(value, str) for value in row["metrics"].values())
    assert row["metrics"]["currency"] == sb.ads_dataset.advertisers[0].currency
    assert "." in row["metrics"]["spend"] and "." in row["metrics"]["ctr"]


@pytest.mark.parametrize(
    "changes",
    [
        {"end_date": "2026-12-01"},  # 31 days
        {"metrics": ["spend", "ad_name"], "data_level": "AUCTION_CAMPAIGN"},
        {"dimensions": ["campaign_id", "stat_time_day"]},
        {"page_size": 1001},
        {"metrics": "spend"},  # not JSON
        {"start_date": "2026/11/01"},
    ],
)
def test_invalid_report_parameters_answer_40002(sb, changes):
    body = call(sb.base_url, REPORT, report_params(first_advertiser(sb), **changes)).json()
    assert body["code"] == 40002, body


def test_paging_walks_every_row_once(sb):
    params = report_params(first_advertiser(sb), page_size=9)
    first = call(sb.base_url, REPORT, params).json()["data"]
    rows = list(first["list"])
    for page in range(2, first["page_info"]["total_page"] + 1):
        rows += call(sb.base_url, REPORT, {**params, "page": page}).json()["data"]["list"]
    keys = [tuple(row["dimensions"].values()) for row in rows]
    assert len(keys) == len(set(keys)) == first["page_info"]["total_number"] > 9


def test_filtering_narrows_entity_lists_to_the_given_ids(sb):
    advertiser = first_advertiser(sb)
    campaign = sb.ads_dataset.campaigns_of(advertiser)[0].campaign_id
    params = {"advertiser_id": advertiser, "filtering": {"campaign_ids": [campaign]}}
    rows = call(sb.base_url, f"{ROOT}/ad/get/", {**params, "page_size": 100}).json()["data"]["list"]
    assert rows and {row["campaign_id"] for row in rows} == {campaign}
    bad = call(sb.base_url, f"{ROOT}/ad/get/", {**params, "filtering": {"colour": ["red"]}})
    assert bad.json()["code"] == 40002


def test_ads_requests_leave_the_shop_request_log_alone(sb):
    shop_log = sb.request_log
    call(sb.base_url, f"{ROOT}/campaign/get/", {"advertiser_id": first_advertiser(sb)})
    assert sb.request_log == shop_log
    assert sb.ads_request_log[-1][1] == f"{ROOT}/campaign/get/"


def test_the_rate_limit_answers_40100():
    settings = SandboxSettings(
        port=0,
        as_of=AS_OF,
        start_date=date(2026, 11, 20),
        end_date=date(2026, 11, 20),
        orders_per_shop_day=0,
        ads_rate_limit_per_second=0.5,
        ads_rate_limit_burst=2,
    )
    with running_sandbox(settings) as running:
        advertiser = running.ads_dataset.advertisers[0].advertiser_id
        codes = [
            call(running.base_url, f"{ROOT}/campaign/get/", {"advertiser_id": advertiser}).json()[
                "code"
            ]
            for _ in range(4)
        ]
    assert codes[:2] == [0, 0] and 40100 in codes[2:]
