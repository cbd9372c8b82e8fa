"""Renewing a TikTok Shop access token with the seller's refresh token.

Reference: `GET https://auth.tiktok-shops.com/api/v2/token/refresh` with `app_key`,
`app_secret`, `refresh_token`, `grant_type=refresh_token`; the answer's
`access_token_expire_in` / `refresh_token_expire_in` are ABSOLUTE Unix timestamps, not
durations. The new token lives in the client's memory only: secrets never reach files, so a
process that needs a token after its refresh token lapses needs a new authorization.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import requests

from connectors.envelope import read_envelope
from connectors.retry import RetryableError
from connectors.transport import send

REFRESH_PATH = "/api/v2/token/refresh"
PRODUCTION_AUTH_BASE_URL = "https://auth.tiktok-shops.com"


# The refresh call is the one request whose query carries secrets (the reference's GET with
# `app_secret` and `refresh_token`); urllib3 logs request lines at DEBUG, so those values are
# masked in its records before any handler sees them.
_SECRET_QUERY_VALUE = re.compile(r"\b(app_secret|refresh_token|access_token)=[^&\s\"']+")


def redact_secret_query_values(text: str) -> str:
    """`app_secret=...`, `refresh_token=...` and `access_token=...` values masked."""
    return _SECRET_QUERY_VALUE.sub(r"\1=[REDACTED]", text)


class _SecretQueryFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_secret_query_values(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_SecretQueryFilter())


class TokenRefreshError(Exception):
    """The refresh was refused or unreadable; the message never carries a secret."""


@dataclass(frozen=True)
class IssuedToken:
    access_token: str = field(repr=False)
    access_token_expires_at: int  # Unix seconds (absolute, as the API sends it)
    refresh_token: str = field(repr=False)
    refresh_token_expires_at: int


def refresh_access_token(
    session: requests.Session,
    auth_base_url: str,
    *,
    app_key: str,
    app_secret: str,
    refresh_token: str,
    timeout: float,
) -> IssuedToken:
    """One refresh call; a transient failure is a `RetryableError` for the caller's policy."""

    def no_answer(reason: str, what: str) -> RetryableError:
        error = TokenRefreshError(f"The TikTok Shop auth server at {auth_base_url} {what}.")
        return RetryableError(reason, error)

    http = send(
        session,
        "GET",
        auth_base_url.rstrip("/") + REFRESH_PATH,
        timeout=timeout,
        no_answer=no_answer,
        params={
            "app_key": app_key,
            "app_secret": app_secret,
            "refresh_token": refresh_token,
            "grant_type": "refresh_token",
        },
    )
    _, envelope, problem = read_envelope(http.content)
    where = f"GET {auth_base_url}{REFRESH_PATH} (HTTP {http.status_code})"
    if envelope is None:
        error = TokenRefreshError(f"{where} answered with no readable envelope: {problem}")
        if http.status_code >= 500 or http.status_code == 429:
            raise RetryableError(problem, error)
        raise error
    data = envelope.get("data") or {}
    if envelope["code"] != 0 or not data.get("access_token"):
        message = str(envelope.get("message") or "no message")
        for secret in (app_secret, refresh_token):
            message = message.replace(secret, "[REDACTED]")
        raise TokenRefreshError(
            f"{where} refused to refresh the access token: code {envelope['code']}, {message} "
            f"(request_id {envelope.get('request_id') or 'none'}). Re-authorize the seller and "
            "set TIKTOK_SHOP_ACCESS_TOKEN and TIKTOK_SHOP_REFRESH_TOKEN again."
        )
    try:
        return IssuedToken(
            access_token=str(data["access_token"]),
            access_token_expires_at=int(data["access_token_expire_in"]),
            refresh_token=str(data.get("refresh_token") or refresh_token),
            refresh_token_expires_at=int(data.get("refresh_token_expire_in") or 0),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise TokenRefreshError(f"{where} answered without a usable token expiry: {err}") from None
