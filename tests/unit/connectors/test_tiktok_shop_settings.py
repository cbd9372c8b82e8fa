"""Which base URL and credentials `TikTokShopSettings.from_env` picks, and what it hides."""

from __future__ import annotations

import pickle

import pytest

from connectors import sandbox_defaults
from connectors.tiktok_shop import (
    PRODUCTION_BASE_URL,
    TikTokShopConfigError,
    TikTokShopNotConfiguredError,
    TikTokShopSettings,
)

KEY, SECRET, TOKEN, URL = (
    "TIKTOK_SHOP_APP_KEY",
    "TIKTOK_SHOP_APP_SECRET",
    "TIKTOK_SHOP_ACCESS_TOKEN",
    "TIKTOK_SHOP_BASE_URL",
)
FULL = {KEY: "real-app", SECRET: "real-secret-value", TOKEN: "real-token-value"}


def test_nothing_set_means_not_configured_never_the_sandbox():
    assert not TikTokShopSettings.is_configured({})
    with pytest.raises(TikTokShopNotConfiguredError, match="not configured") as caught:
        TikTokShopSettings.from_env(environ={})
    assert "--with-sandbox" in str(caught.value)


@pytest.mark.parametrize(
    "alone",
    [
        {URL: "http://127.0.0.1:9999/"},
        {"TIKTOK_SHOP_REFRESH_TOKEN": "r-secret"},
        {"TIKTOK_SHOP_AUTH_BASE_URL": "https://auth.example.com"},
    ],
)
def test_a_setting_alone_names_every_missing_credential(alone):
    """A base URL alone once sent the sandbox's test credentials to that URL; a refresh token
    alone once ran on the sandbox silently."""
    assert TikTokShopSettings.is_configured(alone)
    with pytest.raises(TikTokShopConfigError) as caught:
        TikTokShopSettings.from_env(environ=alone)
    assert not isinstance(caught.value, TikTokShopNotConfiguredError)
    assert caught.value.missing == (KEY, SECRET, TOKEN)
    assert "r-secret" not in str(caught.value)
    assert sandbox_defaults.TIKTOK_SHOP_SANDBOX_APP_KEY not in str(caught.value)


def test_the_sandbox_environment_is_a_complete_configuration():
    settings = TikTokShopSettings.from_env(
        environ=sandbox_defaults.sandbox_environment("http://127.0.0.1:9999")
    )
    assert settings.base_url == "http://127.0.0.1:9999"
    assert settings.app_key == sandbox_defaults.TIKTOK_SHOP_SANDBOX_APP_KEY


def test_credentials_without_base_url_mean_production():
    settings = TikTokShopSettings.from_env(environ=FULL)

    assert settings.base_url == PRODUCTION_BASE_URL
    assert (settings.app_key, settings.app_secret, settings.access_token) == (
        "real-app",
        "real-secret-value",
        "real-token-value",
    )


def test_credentials_with_base_url_use_it_without_trailing_slash():
    settings = TikTokShopSettings.from_env(environ={**FULL, URL: "https://proxy.example.com/tts//"})

    assert settings.base_url == "https://proxy.example.com/tts"


@pytest.mark.parametrize(
    ("present", "missing"),
    [
        ({KEY}, [SECRET, TOKEN]),
        ({SECRET}, [KEY, TOKEN]),
        ({TOKEN}, [KEY, SECRET]),
        ({KEY, SECRET}, [TOKEN]),
        ({KEY, TOKEN}, [SECRET]),
        ({SECRET, TOKEN}, [KEY]),
    ],
)
def test_partial_credentials_name_exactly_the_missing_variables(present, missing):
    environ = {name: FULL[name] for name in present}

    with pytest.raises(TikTokShopConfigError) as caught:
        TikTokShopSettings.from_env(environ=environ)

    assert caught.value.missing == tuple(missing)
    message = str(caught.value)
    for name in missing:
        assert name in message
    for name in present:
        assert name not in message
        assert FULL[name] not in message


def test_blank_values_count_as_unset():
    environ = {KEY: "real-app", SECRET: "  ", TOKEN: "real-token-value"}

    with pytest.raises(TikTokShopConfigError) as caught:
        TikTokShopSettings.from_env(environ=environ)

    assert caught.value.missing == (SECRET,)


def test_base_url_without_scheme_is_a_config_error():
    with pytest.raises(TikTokShopConfigError, match=URL):
        TikTokShopSettings.from_env(environ={**FULL, URL: "open-api.tiktokglobalshop.com"})


def test_reads_os_environ_by_default(monkeypatch):
    for name, value in FULL.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv(URL, raising=False)

    assert TikTokShopSettings.from_env().base_url == PRODUCTION_BASE_URL


def test_repr_and_str_hide_secret_and_token():
    settings = TikTokShopSettings.from_env(environ=FULL)

    for text in (repr(settings), str(settings), f"{settings}"):
        assert "real-secret-value" not in text
        assert "real-token-value" not in text
        assert "real-app" in text


def test_config_error_survives_pickling_with_its_context():
    with pytest.raises(TikTokShopConfigError) as caught:
        TikTokShopSettings.from_env(environ={KEY: "real-app"})

    copy = pickle.loads(pickle.dumps(caught.value))

    assert copy.missing == caught.value.missing
    assert str(copy) == str(caught.value)
