"""Alerts over real HTTP to a local receiver: each format's shape, no secret in any alert, a
failing receiver never fails the sender, and the run-failure sensor posts a failed run."""

from __future__ import annotations

import dagster as dg
import pytest

from linkstar_pipeline.lib.alerts import (
    ATTEMPTS,
    Alert,
    AlertSettings,
    AlertSettingsError,
    send,
)

ALERT = Alert(
    "check_failed",
    "check at severity error: orders_tiktok_vs_erp",
    ["orders_tiktok_vs_erp: 2 shop-days error; e.g. shop 7494127735603349012 on 2026-11-18"],
    "run-123",
)


@pytest.mark.parametrize(
    ("fmt", "text_of"),
    [
        ("slack", lambda body: body["text"]),
        ("feishu", lambda body: body["content"]["text"]),
        ("dingtalk", lambda body: body["text"]["content"]),
    ],
)
def test_each_chat_format_carries_the_check_shop_day_and_run_link(webhook_receiver, fmt, text_of):
    url, bodies, *_ = webhook_receiver
    assert send(ALERT, AlertSettings(url, fmt, "http://ui.example:3000")) is True
    (body,) = bodies
    text = text_of(body)
    assert text.startswith("[LinkStar] check at severity error: orders_tiktok_vs_erp")
    assert "7494127735603349012 on 2026-11-18" in text
    assert "Run: http://ui.example:3000/runs/run-123" in text
    if fmt == "feishu":
        assert body["msg_type"] == "text"
    if fmt == "dingtalk":
        assert body["msgtype"] == "text"


def test_json_format_is_the_structured_alert(webhook_receiver):
    url, bodies, *_ = webhook_receiver
    assert send(ALERT, AlertSettings(url, "json"))
    assert bodies == [
        {
            "kind": "check_failed",
            "title": ALERT.title,
            "lines": ALERT.lines,
            "run_id": "run-123",
            "run_url": "http://127.0.0.1:3000/runs/run-123",
        }
    ]


def test_no_configured_secret_reaches_an_alert(webhook_receiver, monkeypatch):
    url, bodies, *_ = webhook_receiver
    monkeypatch.setenv("TIKTOK_SHOP_APP_SECRET", "app-secret-marker-42")
    monkeypatch.setenv("TIKTOK_ADS_ACCESS_TOKEN", "ads-token-marker-43")
    quoting = Alert("run_failed", "build failed", ["error: bad key app-secret-marker-42"], "r")
    for fmt in ("slack", "json"):
        assert send(quoting, AlertSettings(url, fmt))
    sent = repr(bodies)
    assert "app-secret-marker-42" not in sent and "***" in sent
    assert "ads-token-marker-43" not in sent


def test_a_failing_receiver_never_fails_the_sender(webhook_receiver):
    url, bodies, statuses, _ = webhook_receiver
    statuses.extend([500] * ATTEMPTS)
    assert send(ALERT, AlertSettings(url)) is False
    assert len(bodies) == ATTEMPTS
    unreachable = AlertSettings("http://127.0.0.1:9/hook")
    assert send(ALERT, unreachable) is False


def test_nothing_is_sent_without_a_url_and_a_bad_format_is_named(monkeypatch):
    monkeypatch.delenv("LINKSTAR_ALERT_WEBHOOK_URL", raising=False)
    assert send(ALERT) is False
    with pytest.raises(AlertSettingsError, match="LINKSTAR_ALERT_WEBHOOK_FORMAT='teams'"):
        AlertSettings.from_env({"LINKSTAR_ALERT_WEBHOOK_FORMAT": "teams"})


def test_the_run_failure_sensor_posts_the_failed_run(webhook_receiver, monkeypatch):
    from linkstar_pipeline.defs.alerts.sensors import alert_on_run_failure

    url, bodies, *_ = webhook_receiver
    monkeypatch.setenv("LINKSTAR_ALERT_WEBHOOK_URL", url)

    @dg.op
    def land_orders():
        raise RuntimeError("TikTok Shop API error code 105005 (missing scope)")

    @dg.job
    def ingest_sources():
        land_orders()

    with dg.DagsterInstance.ephemeral() as instance:
        result = ingest_sources.execute_in_process(instance=instance, raise_on_error=False)
        run = instance.get_run_by_id(result.run_id)
        failure = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
        context = dg.build_run_status_sensor_context(
            sensor_name="alert_on_run_failure",
            dagster_instance=instance,
            dagster_run=run,
            dagster_event=failure,
        ).for_run_failure()
        alert_on_run_failure(context)
    (body,) = bodies
    assert body["linkstar"]["kind"] == "run_failed"
    assert body["linkstar"]["run_id"] == result.run_id
    assert "ingest_sources run failed" in body["text"]
    assert "land_orders" in body["text"] and "105005" in body["text"]


SIGNING_SECRET = "SEC-linkstar-test-signing-secret"


def _hmac_b64(key: bytes, message: bytes) -> str:
    import base64
    import hashlib
    import hmac

    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def test_a_signed_feishu_alert_carries_the_timestamp_and_sign_feishu_checks(webhook_receiver):
    import time

    url, bodies, _, _ = webhook_receiver
    settings = AlertSettings(url, "feishu", secret=SIGNING_SECRET)
    assert send(ALERT, settings) is True
    (body,) = bodies
    # Feishu: sign = Base64(HMAC-SHA256(key = timestamp + "\n" + secret, message = "")),
    # timestamp in seconds within an hour of Feishu's clock.
    assert abs(int(body["timestamp"]) - time.time()) < 3600
    assert body["sign"] == _hmac_b64(f"{body['timestamp']}\n{SIGNING_SECRET}".encode(), b"")
    assert body["content"]["text"].startswith("[LinkStar] check at severity error")
    assert SIGNING_SECRET not in repr(settings)


def test_a_signed_dingtalk_alert_adds_timestamp_and_sign_to_the_url(webhook_receiver):
    from urllib.parse import parse_qs, urlsplit

    url, bodies, _, seen = webhook_receiver
    assert send(ALERT, AlertSettings(f"{url}?access_token=abc", "dingtalk", secret=SIGNING_SECRET))
    query = parse_qs(urlsplit(seen[0]["path"]).query)  # parse_qs undoes the URL encoding
    timestamp = query["timestamp"][0]
    assert query["access_token"] == ["abc"] and len(timestamp) == 13  # milliseconds
    # DingTalk: sign = Base64(HMAC-SHA256(key = secret, message = timestamp + "\n" + secret)).
    assert query["sign"] == [
        _hmac_b64(SIGNING_SECRET.encode(), f"{timestamp}\n{SIGNING_SECRET}".encode())
    ]
    assert bodies[0]["text"]["content"].startswith("[LinkStar]")


@pytest.mark.parametrize("fmt", ["slack", "json"])
def test_other_receivers_get_a_signature_header_over_the_exact_body(webhook_receiver, fmt):
    import hashlib
    import hmac

    url, _, _, seen = webhook_receiver
    assert send(ALERT, AlertSettings(url, fmt, secret=SIGNING_SECRET))
    (request,) = seen
    headers = {k.lower(): v for k, v in request["headers"].items()}
    signed = headers["x-linkstar-timestamp"].encode() + b"." + request["raw"]
    expected = hmac.new(SIGNING_SECRET.encode(), signed, hashlib.sha256).hexdigest()
    assert headers["x-linkstar-signature"] == f"sha256={expected}"
    assert SIGNING_SECRET.encode() not in request["raw"] + repr(headers).encode()


def test_without_a_secret_nothing_is_signed(webhook_receiver):
    url, bodies, _, seen = webhook_receiver
    assert send(ALERT, AlertSettings(url, "feishu"))
    assert "sign" not in bodies[0] and "x-linkstar-signature" not in {
        k.lower() for k in seen[0]["headers"]
    }


def test_the_signing_secret_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("LINKSTAR_ALERT_WEBHOOK_URL", "http://127.0.0.1:9/hook")
    monkeypatch.setenv("LINKSTAR_ALERT_WEBHOOK_SECRET", SIGNING_SECRET)
    settings = AlertSettings.from_env()
    assert settings.secret == SIGNING_SECRET and SIGNING_SECRET not in repr(settings)
