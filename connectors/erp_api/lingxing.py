"""领星 Lingxing open API: the one place that knows this vendor's request formats.

Everything the generic `ErpApiClient` needs to talk to Lingxing lives here: paths, the token
request and its answer, the signature, the common query parameters, the error-code table, the
paging parameters and how a page's envelope becomes `(total, rows)`. Another vendor (Mabang,
...) would be a sibling module with the same attributes, chosen by `ERP_API_VENDOR`.

Sources: copies of Lingxing's API guide and several public community clients; no first-hand
vendor access. Where they disagree or are silent the choice is marked ASSUMED below, and
README.md ("ERP REST API (Lingxing-style)") lists the same assumptions.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

VENDOR = "lingxing"
PRODUCTION_BASE_URL = "https://openapi.lingxing.com"

TOKEN_PATH = "/api/auth-server/oauth/access-token"
ORDERS_PATH = "/pb/mp/order/v2/list"
INVENTORY_PATH = "/erp/sc/routing/data/local_inventory/inventoryDetails"

# Largest `length` each list endpoint accepts (orders: reference; inventory: public clients).
MAX_PAGE_LENGTH = {ORDERS_PATH: 500, INVENTORY_PATH: 800}
# The multi-platform order list takes at most a 31-day window per request (reference).
MAX_WINDOW_DAYS = 31

# ASSUMED: TikTok's platform code. The reference says 10011; one public client maps 10011 to
# Wayfair. Overridable with ERP_API_PLATFORM_CODES (comma-separated) without a code change.
TIKTOK_PLATFORM_CODE = 10011
# ASSUMED: the `date_type` value that filters on the order's last update; the public clients
# only show `global_purchase_time`. Times are Unix seconds (as the public clients send them).
UPDATE_DATE_TYPE = "update_time"

# Codes of a successful answer: business endpoints answer 0, the token endpoint "200".
_SUCCESS_CODES = {0, 200}

RETRY = "retry"  # a later attempt may pass (throttled, server busy)
REAUTHENTICATE = "reauthenticate"  # fetch a new access token, then try once more
FATAL = "fatal"  # the same request fails the same way again: stop and say what to do

# code -> (what to do, what it means and what the operator should do next)
ERROR_CODES: dict[int, tuple[str, str]] = {
    2001001: (FATAL, "Unknown AppId: check ERP_API_APP_ID (ERP > 开放接口 menu)."),
    # ASSUMED (sandbox choice): a wrong AppSecret. Lingxing documents only 2001001 for the token.
    2001002: (FATAL, "AppSecret rejected: check ERP_API_APP_SECRET belongs to ERP_API_APP_ID."),
    2001003: (REAUTHENTICATE, "Access token missing or expired: a new one is requested."),
    2001006: (
        FATAL,
        (
            "Signature rejected: check ERP_API_APP_ID (the AES key of the signature) and the "
            "machine's clock (a signature lives about 2 minutes)."
        ),
    ),
    3001002: (
        FATAL,
        "This machine's public IP is not whitelisted: add it in Lingxing's API settings.",
    ),
    3001008: (RETRY, "Throttled (token bucket per app and endpoint): backing off."),
}


def action_for(code: int) -> str:
    """What the client does about an error code; unknown codes are fatal (never loop)."""
    return ERROR_CODES.get(code, (FATAL, ""))[0]


def next_step(code: int) -> str:
    return ERROR_CODES.get(code, (FATAL, ""))[1]


def is_success(code: int) -> bool:
    return code in _SUCCESS_CODES


def parse_code(value: Any) -> int | None:
    """The envelope's code as an int: business endpoints send a number, the token endpoint
    a numeric string ("200", "2001001")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


# ------------------------------------------------------------------------------ token


def token_form(app_id: str, app_secret: str) -> dict[str, str]:
    """Form fields of `POST /api/auth-server/oauth/access-token` (multipart in the docs)."""
    return {"appId": app_id, "appSecret": app_secret}


@dataclass(frozen=True)
class Token:
    access_token: str
    expires_in: int  # seconds from issue (about 7200)


def parse_token(envelope: Mapping[str, Any]) -> Token | None:
    """The token from a successful token answer; None when `data` lacks one."""
    data = envelope.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
        return None
    try:
        expires_in = int(data.get("expires_in") or 0)
    except (TypeError, ValueError):
        expires_in = 0
    return Token(data["access_token"], expires_in)


def message_of(envelope: Mapping[str, Any]) -> str:
    """Business endpoints say `message`, the token endpoint `msg`."""
    return str(envelope.get("message") or envelope.get("msg") or "")


def request_id_of(envelope: Mapping[str, Any]) -> str:
    return str(envelope.get("request_id") or envelope.get("traceId") or "")


# ---------------------------------------------------------------------------- signing


def common_params(app_id: str, access_token: str, timestamp: int) -> dict[str, str]:
    """The query parameters every business call carries besides `sign`."""
    return {"access_token": access_token, "app_key": app_id, "timestamp": str(timestamp)}


def canonical_string(params: Mapping[str, Any]) -> str:
    """`k=v&k=v` over every parameter sorted by key.

    Empty strings are left out but null takes part as `null` (Lingxing's guide says so in
    those words); nested lists and objects take part as their compact JSON text.
    ASSUMED: JSON without spaces and with non-ASCII kept, as the public clients serialise.
    """
    parts = []
    for key in sorted(params):
        value = params[key]
        if value == "":
            continue
        parts.append(f"{key}={_sign_text(value)}")
    return "&".join(parts)


def _sign_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def sign(params: Mapping[str, Any], app_id: str) -> str:
    """MD5 of the canonical string (upper-case hex), AES-ECB/PKCS5 keyed by the AppId, base64.

    The result still needs URL-encoding in the query; `requests` does that when it builds the
    URL. The AppId must be 16, 24 or 32 bytes long to be an AES key (Lingxing's are 16).
    """
    digest = hashlib.md5(canonical_string(params).encode("utf-8")).hexdigest().upper()
    key = app_id.encode("utf-8")
    if len(key) not in (16, 24, 32):
        raise ValueError(
            f"ERP_API_APP_ID must be 16, 24 or 32 bytes to key the AES signature, got {len(key)}"
        )
    padder = padding.PKCS7(128).padder()  # PKCS5 is PKCS7 on 16-byte blocks
    padded = padder.update(digest.encode("ascii")) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode("ascii")


# ----------------------------------------------------------------------------- paging


def page_params(offset: int, length: int) -> dict[str, int]:
    return {"offset": offset, "length": length}


def orders_body(start_time: int, end_time: int, platform_codes: tuple[int, ...]) -> dict[str, Any]:
    """Filters of the multi-platform order list for orders updated in [start, end] (Unix s)."""
    return {
        "date_type": UPDATE_DATE_TYPE,
        "start_time": start_time,
        "end_time": end_time,
        "platform_code": list(platform_codes),
    }


def total_and_rows(envelope: Mapping[str, Any]) -> tuple[int, list[Any]] | None:
    """(total, rows) of a list answer, in either shape Lingxing uses; None if neither.

    The `/pb/mp/...` endpoints answer `data: {total, list}`; the older `/erp/sc/...` ones
    (inventory) answer `data: [...]` with `total` beside `data` in the envelope.
    """
    data = envelope.get("data")
    if isinstance(data, dict) and isinstance(data.get("list"), list):
        total = _int_or_none(data.get("total"))
        return (total, data["list"]) if total is not None else None
    if isinstance(data, list):
        total = _int_or_none(envelope.get("total"))
        return (total, data) if total is not None else None
    return None


def _int_or_none(value: Any) -> int | None:
    code = parse_code(value)
    return code if code is not None and code >= 0 else None
