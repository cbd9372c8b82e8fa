"""The 领星 Lingxing adapter: the signature step by step, the error table, page shapes, and the
ERP_API_* settings. The expected signature is built here from hashlib and cryptography
directly, following Lingxing's guide in words, not by calling the adapter's helpers."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from connectors.erp_api import lingxing
from connectors.erp_api.client import ErpApiConfigError, ErpApiSettings

APP_ID = "ak_0123456789abc"  # 16 bytes, like Lingxing's app ids
PARAMS = {
    "access_token": "59cf5437-669b-49f5-83c4-3cc1d1404680",
    "app_key": APP_ID,
    "timestamp": "1639734344",
    "offset": 0,
    "length": 500,
    "platform_code": [10011],
    "store_id": "",  # empty: left out of the signed string
    "remark": None,  # null: signed as the text null
    "date_type": "update_time",
}


def test_sign_matches_the_guide_computed_step_by_step():
    # a) sorted keys, b) k=v joined by &, empty values left out, null as "null", lists as JSON
    text = (
        "access_token=59cf5437-669b-49f5-83c4-3cc1d1404680&app_key=ak_0123456789abc"
        "&date_type=update_time&length=500&offset=0&platform_code=[10011]&remark=null"
        "&timestamp=1639734344"
    )
    assert lingxing.canonical_string(PARAMS) == text
    # c) MD5, 32 hex digits, upper case: 32 bytes, so PKCS5 adds one whole block of 16 x 0x10
    md5 = hashlib.md5(text.encode()).hexdigest().upper().encode()
    padded = md5 + bytes([16]) * 16
    # d) AES-ECB keyed by the AppId, then base64
    encryptor = Cipher(algorithms.AES(APP_ID.encode()), modes.ECB()).encryptor()
    expected = base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode()
    assert lingxing.sign(PARAMS, APP_ID) == expected
    assert len(base64.b64decode(expected)) == 48


def test_nested_objects_sign_as_compact_json_with_chinese_kept():
    text = lingxing.canonical_string({"content": {"city": "深圳", "age": "133"}, "name": "kobe"})
    assert text == 'content={"city":"深圳","age":"133"}&name=kobe'


def test_an_app_id_that_cannot_key_aes_is_refused_with_the_variable_named():
    with pytest.raises(ValueError, match="ERP_API_APP_ID"):
        lingxing.sign(PARAMS, "short")


@pytest.mark.parametrize(
    ("code", "action"),
    [
        (3001008, lingxing.RETRY),
        (2001003, lingxing.REAUTHENTICATE),
        (2001006, lingxing.FATAL),
        (3001002, lingxing.FATAL),
        (2001001, lingxing.FATAL),
        (123456, lingxing.FATAL),  # unknown codes never loop
    ],
)
def test_error_codes_say_retry_reauthenticate_or_stop(code, action):
    assert lingxing.action_for(code) == action


def test_ip_whitelist_error_says_what_to_do():
    assert "whitelist" in lingxing.next_step(3001002)


def test_both_list_shapes_give_total_and_rows():
    assert lingxing.total_and_rows({"code": 0, "data": {"total": 3, "list": [1, 2]}}) == (3, [1, 2])
    assert lingxing.total_and_rows({"code": 0, "data": [1], "total": "1"}) == (1, [1])
    assert lingxing.total_and_rows({"code": 0, "data": {"rows": []}}) is None


def test_token_answer_codes_are_numeric_strings():
    assert lingxing.parse_code("200") == 200 and lingxing.is_success(200)
    assert lingxing.parse_code("2001001") == 2001001
    token = lingxing.parse_token({"code": "200", "data": {"access_token": "t", "expires_in": 7199}})
    assert token == lingxing.Token("t", 7199)


BASE = {
    "ERP_API_BASE_URL": "https://openapi.lingxing.com",
    "ERP_API_APP_ID": APP_ID,
    "ERP_API_APP_SECRET": "s3cret-value",
}


def test_nothing_set_means_no_erp_api():
    assert ErpApiSettings.from_env({}) is None
    assert ErpApiSettings.from_env({"ERP_API_VENDOR": "lingxing"}) is None  # a vendor alone


@pytest.mark.parametrize(
    "present",
    [("ERP_API_APP_ID",), ("ERP_API_APP_SECRET",), ("ERP_API_APP_ID", "ERP_API_APP_SECRET")],
)
def test_credentials_without_a_base_url_name_it_instead_of_switching_off(present):
    environ = {name: BASE[name] for name in present}
    with pytest.raises(ErpApiConfigError, match="ERP_API_BASE_URL is not") as raised:
        ErpApiSettings.from_env(environ)
    assert "s3cret-value" not in str(raised.value)


def test_zero_requests_per_minute_turns_pacing_off_instead_of_the_default():
    settings = ErpApiSettings.from_env({**BASE, "ERP_API_MAX_REQUESTS_PER_MINUTE": "0"})
    assert settings is not None and settings.max_requests_per_minute == 0


def test_settings_read_every_variable_and_hide_the_secret():
    env = {
        **BASE,
        "ERP_API_MAX_REQUESTS_PER_MINUTE": "30",
        "ERP_API_PAGE_SIZE": "200",
        "ERP_API_WINDOW_DAYS": "7",
        "ERP_API_PLATFORM_CODES": "10011,10024",
    }
    settings = ErpApiSettings.from_env(env)
    assert settings is not None
    assert (settings.max_requests_per_minute, settings.page_size, settings.window_days) == (
        30.0,
        200,
        7,
    )
    assert settings.platform_codes == (10011, 10024)
    assert "s3cret-value" not in repr(settings)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"ERP_API_APP_SECRET": ""}, "ERP_API_APP_SECRET"),
        ({"ERP_API_PAGE_SIZE": "501"}, "ERP_API_PAGE_SIZE"),
        ({"ERP_API_WINDOW_DAYS": "32"}, "ERP_API_WINDOW_DAYS"),
        ({"ERP_API_VENDOR": "dianxiaomi"}, "ERP_API_VENDOR"),
        ({"ERP_API_MAX_REQUESTS_PER_MINUTE": "fast"}, "ERP_API_MAX_REQUESTS_PER_MINUTE"),
    ],
)
def test_bad_settings_name_the_variable(extra, message):
    with pytest.raises(ErpApiConfigError, match=message):
        ErpApiSettings.from_env({**BASE, **extra})
