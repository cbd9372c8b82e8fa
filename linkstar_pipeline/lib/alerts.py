"""Alerts to one webhook: Feishu/Lark, DingTalk, Slack-compatible, or any HTTP receiver.

`LINKSTAR_ALERT_WEBHOOK_URL` (unset: no alerts) receives a POST of JSON for a run that
failed, a source that failed, a reconciliation row at severity error, a digest of the
reconciliation and freshness status after every build, and a short summary with the path of
the reports a reports asset wrote (lib/reports/digest.py). `LINKSTAR_ALERT_WEBHOOK_FORMAT` picks
the body (README "Alerts"): `slack` (default: `{"text": ...}` plus the structured alert under
`linkstar`), `feishu` (`{"msg_type": "text", "content": {"text": ...}}`), `dingtalk`
(`{"msgtype": "text", "text": {"content": ...}}`) or `json` (the structured alert alone).
`LINKSTAR_DAGSTER_UI_URL` (default http://127.0.0.1:3000) makes run links.
`LINKSTAR_ALERT_WEBHOOK_SECRET` signs each POST the way its receiver checks (lib/alert_signing.py).

An alert is built only from what LinkStar names itself — check, source, shop id, day,
figures, run id — never from a payload, a request or the environment, so no credential or
buyer detail can reach it; configured secrets are still scrubbed from the text, in case an
error message ever quoted one. A webhook that fails is logged and never fails the run.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import requests

from linkstar_pipeline.lib.alert_signing import signed_request

URL_VARIABLE = "LINKSTAR_ALERT_WEBHOOK_URL"
FORMAT_VARIABLE = "LINKSTAR_ALERT_WEBHOOK_FORMAT"
UI_VARIABLE = "LINKSTAR_DAGSTER_UI_URL"
SECRET_VARIABLE = "LINKSTAR_ALERT_WEBHOOK_SECRET"
FORMATS = ("slack", "feishu", "dingtalk", "json")
TIMEOUT_SECONDS = 10
ATTEMPTS = 2
_SECRET_MARKERS = ("SECRET", "TOKEN", "PASSWORD", "WEBHOOK_URL")

log = logging.getLogger(__name__)


class AlertSettingsError(ValueError):
    """The alert variables are set but unusable (an unknown format)."""


@dataclass(frozen=True)
class AlertSettings:
    url: str | None
    format: str = "slack"
    ui_url: str = "http://127.0.0.1:3000"
    secret: str | None = field(default=None, repr=False)  # never in a log line or repr

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AlertSettings:
        env = os.environ if environ is None else environ
        fmt = (env.get(FORMAT_VARIABLE) or "slack").strip().lower()
        if fmt not in FORMATS:
            raise AlertSettingsError(
                f"{FORMAT_VARIABLE}={fmt!r} is not one of {', '.join(FORMATS)}"
            )
        ui_url = (env.get(UI_VARIABLE) or cls.ui_url).rstrip("/")
        url = (env.get(URL_VARIABLE) or "").strip() or None
        return cls(url, fmt, ui_url, (env.get(SECRET_VARIABLE) or "").strip() or None)

    def run_link(self, run_id: str | None) -> str | None:
        return f"{self.ui_url}/runs/{run_id}" if run_id else None


@dataclass(frozen=True)
class Alert:
    """What happened (`kind`: run_failed, source_failed, check_failed, digest or report), one line of
    title, and the lines that name checks, shops, days and figures."""

    kind: str
    title: str
    lines: list[str] = field(default_factory=list)
    run_id: str | None = None

    def text(self, settings: AlertSettings) -> str:
        link = settings.run_link(self.run_id)
        parts = [f"[LinkStar] {self.title}", *self.lines] + ([f"Run: {link}"] if link else [])
        return _scrubbed("\n".join(parts))


def payload(alert: Alert, settings: AlertSettings) -> dict:
    text = alert.text(settings)
    structured = {**asdict(alert), "run_url": settings.run_link(alert.run_id)}
    structured = json.loads(_scrubbed(json.dumps(structured)))
    if settings.format == "feishu":
        return {"msg_type": "text", "content": {"text": text}}
    if settings.format == "dingtalk":
        return {"msgtype": "text", "text": {"content": text}}
    if settings.format == "json":
        return structured
    return {"text": text, "linkstar": structured}


def send(alert: Alert, settings: AlertSettings | None = None) -> bool:
    """POST the alert; True when the receiver took it (2xx). Never raises."""
    try:
        settings = settings or AlertSettings.from_env()
    except AlertSettingsError as error:
        log.warning("alert not sent: %s", error)
        return False
    if settings.url is None:
        return False
    body = payload(alert, settings)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            # Signed afresh per attempt: receivers refuse a stale timestamp.
            url, data, headers = signed_request(
                settings.url, body, settings.format, settings.secret
            )
            response = requests.post(url, data=data, headers=headers, timeout=TIMEOUT_SECONDS)
            if 200 <= response.status_code < 300:
                return True
            problem = f"HTTP {response.status_code}"
        except requests.RequestException as error:
            problem = type(error).__name__
        log.warning(
            "alert %s not delivered (attempt %d/%d): %s", alert.kind, attempt, ATTEMPTS, problem
        )
    return False


def _scrubbed(text: str) -> str:
    """Defence in depth: the value of any configured secret is replaced, should one appear."""
    for name, value in os.environ.items():
        if value and len(value) >= 6 and any(marker in name for marker in _SECRET_MARKERS):
            text = text.replace(value, "***")
    return text
