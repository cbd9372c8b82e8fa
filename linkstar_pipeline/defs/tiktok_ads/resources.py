"""The TikTok Ads client as a Dagster resource (token and advertisers from the environment)."""

import dagster as dg

from connectors.retry import RetryPolicy
from connectors.tiktok_ads import TikTokAdsClient, TikTokAdsSettings
from linkstar_pipeline.lib.settings import PipelineSettings


class TikTokAdsApiResource(dg.ConfigurableResource):
    timeout_seconds: float = 60.0
    max_attempts: int = 6
    backoff_base_seconds: float = 0.5
    backoff_max_seconds: float = 30.0
    # The reference: after a per-minute limit, wait minutes, not seconds.
    rate_limit_backoff_seconds: float = 60.0

    def settings(self) -> TikTokAdsSettings:
        return TikTokAdsSettings.from_env()

    def client(self) -> TikTokAdsClient:
        retry = RetryPolicy(
            max_attempts=self.max_attempts,
            base_delay=self.backoff_base_seconds,
            max_delay=self.backoff_max_seconds,
        )
        return TikTokAdsClient(
            self.settings(),
            timeout=self.timeout_seconds,
            retry=retry,
            rate_limit_backoff=self.rate_limit_backoff_seconds,
        )


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "tiktok_ads": TikTokAdsApiResource(
                max_attempts=PipelineSettings.from_env().api_max_attempts
            )
        }
    )
