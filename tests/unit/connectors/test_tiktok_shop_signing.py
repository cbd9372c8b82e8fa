"""`sign_request` against the public worked example and hand-built signing strings.

Every expected value is built here step by step from the reference, never by calling
helpers of the module under test.
"""

from __future__ import annotations

import hashlib
import hmac

from connectors.tiktok_shop import sign_request

SECRET = "e59af819cc"
SHOPS_PATH = "/authorization/202309/shops"


def hmac_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def test_public_worked_example_matches_documented_sign():
    query = {"app_key": "29a39d", "timestamp": "1623812664"}

    sign = sign_request(SECRET, SHOPS_PATH, query, None)

    assert sign == "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"


def test_worked_example_is_the_wrapped_path_and_pairs():
    wrapped = b"e59af819cc/authorization/202309/shopsapp_key29a39dtimestamp1623812664e59af819cc"

    assert hmac_hex(SECRET, wrapped) == sign_request(
        SECRET, SHOPS_PATH, {"timestamp": "1623812664", "app_key": "29a39d"}, None
    )


def test_sign_and_access_token_are_left_out_of_the_signed_string():
    base = {"app_key": "29a39d", "timestamp": "1623812664"}
    with_extras = {**base, "sign": "anything", "access_token": "tok-123"}

    assert sign_request(SECRET, SHOPS_PATH, with_extras, None) == sign_request(
        SECRET, SHOPS_PATH, base, None
    )


def test_keys_sort_in_byte_order_not_case_insensitively():
    # Byte order: "B" (0x42) < "Z" (0x5A) < "_x" (0x5F) < "a" (0x61) < "é" (0xC3 0xA9).
    query = {"a": "1", "é": "5", "_x": "2", "Z": "3", "B": "4"}
    path = "/order/202309/orders"
    wrapped = (SECRET + path + "B4" + "Z3" + "_x2" + "a1" + "é5" + SECRET).encode("utf-8")

    assert sign_request(SECRET, path, query, None) == hmac_hex(SECRET, wrapped)


def test_body_bytes_are_appended_after_the_pairs():
    path = "/order/202309/orders/search"
    query = {
        "shop_cipher": "GCP_abc",
        "app_key": "29a39d",
        "timestamp": "1700000000",
        "page_size": "50",
    }
    body = b'{"update_time_ge":1700000000,"update_time_lt":1700086400}'
    pairs = "app_key29a39d" + "page_size50" + "shop_cipherGCP_abc" + "timestamp1700000000"
    wrapped = SECRET.encode() + path.encode() + pairs.encode() + body + SECRET.encode()

    assert sign_request(SECRET, path, query, body) == hmac_hex(SECRET, wrapped)


def test_signature_depends_on_the_exact_body_bytes():
    path = "/order/202309/orders/search"
    query = {"app_key": "29a39d", "timestamp": "1700000000"}
    compact = b'{"update_time_ge":1}'
    spaced = b'{"update_time_ge": 1}'

    assert sign_request(SECRET, path, query, compact) != sign_request(SECRET, path, query, spaced)


def test_no_body_and_empty_body_sign_the_same():
    query = {"app_key": "29a39d", "timestamp": "1623812664"}

    assert sign_request(SECRET, SHOPS_PATH, query, b"") == sign_request(
        SECRET, SHOPS_PATH, query, None
    )


def test_signature_is_lowercase_hex_of_sha256():
    sign = sign_request(SECRET, SHOPS_PATH, {"app_key": "k", "timestamp": "1"}, None)

    assert len(sign) == 64
    assert sign == sign.lower()
    int(sign, 16)
