"""The ERP open-API client as a Dagster resource.

Only non-secret tuning lives in resource config; the base URL, vendor and app credentials are
read from the environment (ERP_API_*) by the connector itself, so they never appear in run
config or metadata. No ERP_API_BASE_URL means the seller has no ERP API: `client()` is None.
"""

import dagster as dg

from connectors.erp_api.client import ErpApiClient, ErpApiSettings
from connectors.retry import RetryPolicy
from linkstar_pipeline.lib.settings import PipelineSettings


class ErpApiResource(dg.ConfigurableResource):
    timeout_seconds: float = 30.0
    max_attempts: int = 6
    backoff_base_seconds: float = 0.5
    backoff_max_seconds: float = 30.0

    def settings(self) -> ErpApiSettings | None:
        return ErpApiSettings.from_env()

    def client(self) -> ErpApiClient | None:
        settings = self.settings()
        if settings is None:
            return None
        retry = RetryPolicy(
            max_attempts=self.max_attempts,
            base_delay=self.backoff_base_seconds,
            max_delay=self.backoff_max_seconds,
        )
        return ErpApiClient(settings, timeout=self.timeout_seconds, retry=retry)


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "erp_api": ErpApiResource(max_attempts=PipelineSettings.from_env().api_max_attempts)
        }
    )
