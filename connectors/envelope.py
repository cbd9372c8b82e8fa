"""Reading the `{code, message, request_id, data}` envelope both TikTok APIs answer with.

Shared because the two APIs agree on it: the body's integer `code`, not the HTTP status,
decides success, and a body that is empty or not JSON on a success status was most likely
cut short in transit (worth another try), while any other malformed body is not.
"""

from __future__ import annotations

import json
from typing import Any

EMPTY_BODY = "an empty body"
NOT_JSON = "a body that is not JSON (cut short in transit, or not the API)"


def read_json_body(content: bytes) -> tuple[str, Any, str]:
    """(body text, parsed JSON, what is wrong): the checks every API client makes before it
    looks at its own envelope. JSON on the wire is UTF-8 (RFC 8259). The parsed value means
    nothing when what is wrong is not empty (a JSON `null` parses to None too)."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("utf-8", errors="replace"), None, "a body that is not UTF-8"
    if not text.strip():
        return text, None, EMPTY_BODY
    try:
        return text, json.loads(text), ""
    except ValueError:
        return text, None, NOT_JSON


def read_envelope(content: bytes) -> tuple[str, dict[str, Any] | None, str]:
    """(body text, envelope or None, what is wrong); the TikTok envelope's `code` is an
    integer."""
    text, envelope, problem = read_json_body(content)
    if problem:
        return text, None, problem
    if not isinstance(envelope, dict):
        return text, None, f"a JSON {type(envelope).__name__} instead of an object"
    code = envelope.get("code")
    if isinstance(code, bool) or not isinstance(code, int):
        return text, None, "a JSON object without an integer `code`"
    return text, envelope, ""


def looks_truncated(http_status: int, problem: str) -> bool:
    """A success status whose body is empty or not JSON: probably cut short in transit."""
    return http_status < 300 and problem in (NOT_JSON, EMPTY_BODY)
