"""Which sources a run is configured for: none of a source's variables set leaves it out (one
line, never a sandbox fallback); some set stops the run naming every missing variable."""

from __future__ import annotations

import pytest

from connectors.sandbox_defaults import sandbox_environment
from linkstar_pipeline.lib.source_config import SourceConfigError, source_configuration


def test_nothing_set_leaves_the_credentialed_sources_out_and_says_what_to_set():
    configuration = source_configuration({})
    assert set(configuration.not_configured) == {"tiktok_shop", "tiktok_ads", "erp_api"}
    assert "TIKTOK_SHOP_APP_KEY" in configuration.not_configured["tiktok_shop"]
    assert "TIKTOK_ADS_ACCESS_TOKEN" in configuration.not_configured["tiktok_ads"]
    assert "ERP_API_BASE_URL" in configuration.not_configured["erp_api"]
    assert not configuration.skips("fx")  # the ECB's files are public


def test_the_sandbox_environment_configures_every_source():
    assert source_configuration(sandbox_environment("http://127.0.0.1:8910")).not_configured == {}


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        (
            {"TIKTOK_SHOP_BASE_URL": "https://proxy.example.com"},
            ["TIKTOK_SHOP_APP_KEY", "TIKTOK_SHOP_APP_SECRET", "TIKTOK_SHOP_ACCESS_TOKEN"],
        ),
        ({"TIKTOK_SHOP_REFRESH_TOKEN": "r-secret"}, ["TIKTOK_SHOP_ACCESS_TOKEN"]),
        ({"TIKTOK_ADS_BASE_URL": "https://ads.example.com"}, ["TIKTOK_ADS_ACCESS_TOKEN"]),
        ({"TIKTOK_ADS_APP_ID": "app"}, ["TIKTOK_ADS_ACCESS_TOKEN", "TIKTOK_ADS_APP_SECRET"]),
        ({"ERP_API_APP_ID": "id", "ERP_API_APP_SECRET": "s3cret"}, ["ERP_API_BASE_URL"]),
    ],
)
def test_a_half_configured_source_stops_the_run_naming_what_is_missing(environ, named):
    with pytest.raises(SourceConfigError) as raised:
        source_configuration(environ)
    text = str(raised.value)
    assert all(name in text for name in named), text
    assert "r-secret" not in text and "s3cret" not in text


def test_every_half_configured_source_is_named_at_once():
    with pytest.raises(SourceConfigError) as raised:
        source_configuration(
            {"TIKTOK_SHOP_BASE_URL": "https://a.example.com", "TIKTOK_ADS_APP_ID": "app"}
        )
    assert len(raised.value.problems) == 2
