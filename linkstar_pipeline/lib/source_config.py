"""Which sources this run is configured for, decided once before anything runs.

A source with none of its variables set is **not configured**: the seller does not use it (or
has not connected it yet), so the run leaves its assets out and says so in one line — it never
falls back to a sandbox that is not running. A source with some of its variables set but not
all is a mistake: the run stops before anything runs and names every missing variable. FX (the
ECB's public files), the ERP inbox and the KPI configuration need no credentials.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from connectors.ecb_fx import EcbFxError, EcbFxSettings
from connectors.erp_api.client import ErpApiConfigError, ErpApiSettings
from connectors.tiktok_ads import (
    TikTokAdsConfigError,
    TikTokAdsNotConfiguredError,
    TikTokAdsSettings,
)
from connectors.tiktok_shop import (
    TikTokShopConfigError,
    TikTokShopNotConfiguredError,
    TikTokShopSettings,
)


class SourceConfigError(ValueError):
    """Some source is half configured; the message lists every problem, one per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class SourceConfiguration:
    # source -> why it is not configured (what to set), for the sources this run leaves out.
    not_configured: dict[str, str] = field(default_factory=dict)

    def skips(self, source: str) -> bool:
        return source in self.not_configured


def source_configuration(environ: Mapping[str, str] | None = None) -> SourceConfiguration:
    """Read every connector's settings once; raises SourceConfigError naming what is missing."""
    env = os.environ if environ is None else environ
    not_configured: dict[str, str] = {}
    problems: list[str] = []
    for source, read, absent, broken in (
        (
            "tiktok_shop",
            TikTokShopSettings.from_env,
            TikTokShopNotConfiguredError,
            TikTokShopConfigError,
        ),
        (
            "tiktok_ads",
            TikTokAdsSettings.from_env,
            TikTokAdsNotConfiguredError,
            TikTokAdsConfigError,
        ),
        ("fx", EcbFxSettings.from_env, (), EcbFxError),
    ):
        try:
            read(env)
        except absent as error:
            not_configured[source] = str(error)
        except broken as error:
            problems.append(str(error))
    try:
        if ErpApiSettings.from_env(env) is None:
            not_configured["erp_api"] = (
                "ERP API is not configured: set ERP_API_BASE_URL, ERP_API_APP_ID and "
                "ERP_API_APP_SECRET to load orders and stock from the ERP's API."
            )
    except (ErpApiConfigError, ValueError) as error:
        problems.append(str(error))
    if problems:
        raise SourceConfigError(problems)
    return SourceConfiguration(not_configured)
