"""The TikTok Shop client as a Dagster resource.

Only non-secret tuning lives in resource config; the base URL and credentials are read from
the environment by the connector itself, so they never appear in run config or metadata.
"""

import dagster as dg

from connectors.retry import RetryPolicy
from connectors.tiktok_shop import TikTokShopClient, TikTokShopSettings
from linkstar_pipeline.lib.settings import PipelineSettings


class TikTokShopApiResource(dg.ConfigurableResource):
    timeout_seconds: float = 30.0
    max_attempts: int = 6
    backoff_base_seconds: float = 0.5
    backoff_max_seconds: float = 30.0

    def client(self) -> TikTokShopClient:
        retry = RetryPolicy(
            max_attempts=self.max_attempts,
            base_delay=self.backoff_base_seconds,
            max_delay=self.backoff_max_seconds,
        )
        return TikTokShopClient(
            TikTokShopSettings.from_env(), timeout=self.timeout_seconds, retry=retry
        )

    def base_url(self) -> str:
        return TikTokShopSettings.from_env().base_url


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "tiktok_shop": TikTokShopApiResource(
                max_attempts=PipelineSettings.from_env().api_max_attempts
            )
        }
    )
