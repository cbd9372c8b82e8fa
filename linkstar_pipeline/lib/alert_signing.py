"""Signed webhooks: each receiver's own scheme, so a bot with signature security accepts us.

- Feishu / Lark custom bot: `timestamp` (Unix seconds, a string) and `sign` in the JSON body;
  `sign` is Base64 of HMAC-SHA256 keyed with `"{timestamp}\\n{secret}"` over an empty message.
  Feishu refuses a timestamp more than an hour off.
- DingTalk custom robot: `timestamp` (Unix milliseconds) and `sign` as URL query parameters;
  `sign` is the URL-encoded Base64 of HMAC-SHA256 keyed with the secret over
  `"{timestamp}\\n{secret}"`.
- Slack-compatible and plain JSON receivers: headers `X-LinkStar-Timestamp` (Unix seconds) and
  `X-LinkStar-Signature: sha256=<hex HMAC-SHA256 keyed with the secret over
  "{timestamp}.{body}">`, the body being the exact bytes sent (Stripe's and GitHub's pattern), so
  a receiver can check both origin and freshness.
Without a secret the request is the plain JSON POST it always was.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from urllib.parse import quote_plus


def signed_request(
    url: str, body: dict, fmt: str, secret: str | None, now: float | None = None
) -> tuple[str, bytes, dict[str, str]]:
    """(url, body bytes, headers) to POST for `fmt`, signed with `secret` when there is one."""
    now = time.time() if now is None else now
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if secret and fmt == "feishu":
        timestamp = str(int(now))
        key = f"{timestamp}\n{secret}".encode()
        sign = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        body = {**body, "timestamp": timestamp, "sign": sign}
    elif secret and fmt == "dingtalk":
        timestamp = str(int(now * 1000))
        digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
        sign = quote_plus(base64.b64encode(digest.digest()).decode())
        url = f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    if secret and fmt not in ("feishu", "dingtalk"):
        timestamp = str(int(now))
        signed = timestamp.encode() + b"." + data
        digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        headers |= {"X-LinkStar-Timestamp": timestamp, "X-LinkStar-Signature": f"sha256={digest}"}
    return url, data, headers
