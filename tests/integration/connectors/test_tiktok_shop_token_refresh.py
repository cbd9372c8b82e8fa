"""An expired TikTok Shop access token is renewed with the refresh token, over real HTTP.

The sandbox's `expire_access_token` knob makes its configured token answer 105002 from the
start; its `/api/v2/token/refresh` issues tokens the shop API then accepts."""

from __future__ import annotations

import logging

import pytest

from connectors import sandbox_defaults
from connectors.retry import RetryPolicy
from connectors.tiktok_shop import (
    PRODUCTION_BASE_URL,
    TikTokShopApiError,
    TikTokShopClient,
    TikTokShopSettings,
)
from connectors.tiktok_shop_token import PRODUCTION_AUTH_BASE_URL, TokenRefreshError
from tests.conftest import sandbox_running

FAST_RETRY = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05)


@pytest.fixture(scope="module")
def sb():
    with sandbox_running(expire_access_token=True, shop_count=2) as running:
        yield running


def client_for(sb, **overrides) -> TikTokShopClient:
    env = sandbox_defaults.sandbox_environment(sb.base_url) | overrides
    return TikTokShopClient(TikTokShopSettings.from_env(environ=env), retry=FAST_RETRY)


def test_an_expired_token_is_renewed_once_and_the_call_made_again(sb, caplog):
    client = client_for(sb)
    issued_before = len(sb.token_authority.issued)
    with caplog.at_level(logging.DEBUG):
        shops = client.get_authorized_shops().data["shops"]
        pages = list(
            client.search_orders(shops[0]["cipher"], update_time_ge=0, update_time_lt=2**31)
        )
    assert len(shops) == 2 and pages
    assert len(sb.token_authority.issued) == issued_before + 1, "one refresh serves later calls"
    codes = [code for _, path, _, code in sb.request_log if path == "/authorization/202309/shops"]
    assert 105002 in codes and codes[-1] == 0
    renewed = sb.token_authority.issued[-1]
    logged = caplog.text + repr(client) + repr(client.settings)
    for secret in (
        renewed,
        sandbox_defaults.TIKTOK_SHOP_SANDBOX_REFRESH_TOKEN,
        sandbox_defaults.TIKTOK_SHOP_SANDBOX_APP_SECRET,
    ):
        assert secret not in logged


def test_without_a_refresh_token_the_error_says_what_to_set(sb):
    client = client_for(sb, TIKTOK_SHOP_REFRESH_TOKEN="")
    with pytest.raises(TikTokShopApiError) as error:
        client.get_authorized_shops()
    assert error.value.code == 105002
    assert "TIKTOK_SHOP_REFRESH_TOKEN" in str(error.value)


def test_a_refused_refresh_names_the_auth_server_and_hides_the_secrets(sb):
    client = client_for(sb, TIKTOK_SHOP_REFRESH_TOKEN="not-a-valid-refresh-token")
    with pytest.raises(TokenRefreshError) as error:
        client.get_authorized_shops()
    message = str(error.value)
    assert "105003" in message and "/api/v2/token/refresh" in message
    assert "not-a-valid-refresh-token" not in message
    assert sandbox_defaults.TIKTOK_SHOP_SANDBOX_APP_SECRET not in message


def test_real_credentials_default_to_the_production_auth_server():
    settings = TikTokShopSettings.from_env(
        environ={
            "TIKTOK_SHOP_APP_KEY": "k",
            "TIKTOK_SHOP_APP_SECRET": "s",
            "TIKTOK_SHOP_ACCESS_TOKEN": "t",
            "TIKTOK_SHOP_REFRESH_TOKEN": "r-secret",
        }
    )
    assert settings.base_url == PRODUCTION_BASE_URL
    assert settings.auth_base_url == PRODUCTION_AUTH_BASE_URL
    assert settings.refresh_token == "r-secret" and "r-secret" not in repr(settings)
