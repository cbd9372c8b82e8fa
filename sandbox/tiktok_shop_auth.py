"""The TikTok Shop token refresh endpoint, emulated: `GET /api/v2/token/refresh`.

Served on the sandbox's own host (the real one is auth.tiktok-shops.com; only the base URL
differs). It checks the app key and secret and the refresh token, issues a new access token
that the shop API then accepts, and answers like the reference: expiry fields are absolute
Unix timestamps. With the `expire_access_token` knob the sandbox's configured token answers
105002 from the start, so a run must renew it to load anything.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable

from connectors.sandbox_defaults import TIKTOK_SHOP_SANDBOX_REFRESH_TOKEN
from sandbox.tiktok_shop_api import ApiRequest, ApiResponse, TikTokShopApi

PATH = "/api/v2/token/refresh"
PATH_PREFIX = "/api/v2/token/"
ACCESS_TOKEN_LIFETIME = 7 * 86400
REFRESH_TOKEN_LIFETIME = 365 * 86400
CODE_BAD_APP = 106001  # as the shop API answers a wrong app key or secret
CODE_BAD_REFRESH_TOKEN = 105003  # sandbox choice: refresh token unknown or lapsed


class TokenAuthority:
    """Issues access tokens for one `TikTokShopApi`; thread-safe."""

    def __init__(
        self,
        api: TikTokShopApi,
        wall_clock: Callable[[], float],
        refresh_tokens: frozenset[str] = frozenset({TIKTOK_SHOP_SANDBOX_REFRESH_TOKEN}),
    ) -> None:
        self._api = api
        self._clock = wall_clock
        self._refresh_tokens = refresh_tokens
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self.issued: list[str] = []

    def handle(self, request: ApiRequest) -> ApiResponse:
        q = request.query
        if request.path != PATH or request.method != "GET":
            return _answer(404, 40004, f"Path not found: {request.path}", {})
        if self._api.settings.app_secrets.get(q.get("app_key", "")) != q.get("app_secret"):
            return _answer(401, CODE_BAD_APP, "Invalid app_key or app_secret", {})
        if q.get("grant_type") != "refresh_token":
            return _answer(400, 40006, "grant_type must be refresh_token", {})
        refresh_token = q.get("refresh_token", "")
        if refresh_token not in self._refresh_tokens:
            return _answer(401, CODE_BAD_REFRESH_TOKEN, "refresh_token is invalid or expired", {})
        with self._lock:
            token = f"linkstar-sandbox-renewed-token-{next(self._counter)}"
            self.issued.append(token)
        self._api.accept_access_token(token)
        now = int(self._clock())
        return _answer(
            200,
            0,
            "success",
            {
                "access_token": token,
                "access_token_expire_in": now + ACCESS_TOKEN_LIFETIME,
                "refresh_token": refresh_token,
                "refresh_token_expire_in": now + REFRESH_TOKEN_LIFETIME,
                "open_id": "sandbox-seller",
                "seller_name": "LinkStar sandbox seller",
                "granted_scopes": ["seller.order.info", "seller.finance.info"],
            },
        )


def _answer(status: int, code: int, message: str, data: dict) -> ApiResponse:
    body = {"code": code, "message": message, "request_id": "", "data": data}
    return ApiResponse(status, json.dumps(body).encode(), "application/json", code)
