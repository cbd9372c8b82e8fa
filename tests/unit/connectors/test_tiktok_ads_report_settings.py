"""Report mode settings and the report id filter, without a network."""

from __future__ import annotations

import json
import pickle

import pytest

from connectors.sandbox_defaults import sandbox_environment
from connectors.tiktok_ads import (
    REPORT_FILTER_MAX_IDS,
    TikTokAdsConfigError,
    TikTokAdsReportTaskError,
    TikTokAdsSettings,
    report_id_filtering,
)

SANDBOX = sandbox_environment("http://127.0.0.1:1")


def test_reports_are_synchronous_and_split_when_too_large_by_default():
    settings = TikTokAdsSettings.from_env(environ=SANDBOX)
    assert (settings.report_mode, settings.too_large_fallback) == ("sync", "split")


def test_report_mode_and_fallback_come_from_the_environment():
    env = {
        **SANDBOX,
        "TIKTOK_ADS_REPORT_MODE": " ASYNC ",
        "TIKTOK_ADS_TOO_LARGE_FALLBACK": "async",
        "TIKTOK_ADS_REPORT_TASK_TIMEOUT_SECONDS": "90",
    }
    settings = TikTokAdsSettings.from_env(environ=env)
    assert settings.report_mode == "async" and settings.too_large_fallback == "async"
    assert settings.report_task_timeout_seconds == 90


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TIKTOK_ADS_REPORT_MODE", "chunked"),
        ("TIKTOK_ADS_TOO_LARGE_FALLBACK", "ignore"),
        ("TIKTOK_ADS_REPORT_TASK_TIMEOUT_SECONDS", "0"),
    ],
)
def test_an_unknown_report_setting_is_an_error_naming_the_variable(name, value):
    with pytest.raises(TikTokAdsConfigError, match=name):
        TikTokAdsSettings.from_env(environ={**SANDBOX, name: value})


def test_the_id_filter_is_written_as_the_official_sdk_writes_it():
    [entry] = json.loads(report_id_filtering("campaign_ids", ["1", "2"]))
    assert entry == {"field_name": "campaign_ids", "filter_type": "IN", "filter_value": '["1","2"]'}


@pytest.mark.parametrize("count", [0, REPORT_FILTER_MAX_IDS + 1])
def test_an_id_filter_names_one_to_a_hundred_ids(count):
    with pytest.raises(ValueError, match="1-100"):
        report_id_filtering("ad_ids", [str(i) for i in range(count)])


def test_a_task_error_survives_pickling_with_its_context():
    error = TikTokAdsReportTaskError("failed", "7001", "73001", "req-1", "FAILED")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.advertiser_id, copy.task_id, copy.request_id, copy.status) == (
        "7001",
        "73001",
        "req-1",
        "FAILED",
    )
