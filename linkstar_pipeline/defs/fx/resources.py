"""The ECB rates client as a Dagster resource (the base URL comes from the environment)."""

import dagster as dg

from connectors.ecb_fx import EcbFxClient, EcbFxSettings
from connectors.retry import RetryPolicy
from linkstar_pipeline.lib.settings import PipelineSettings


class EcbFxResource(dg.ConfigurableResource):
    timeout_seconds: float = 60.0
    max_attempts: int = 6

    def client(self) -> EcbFxClient:
        return EcbFxClient(
            EcbFxSettings.from_env(),
            timeout=self.timeout_seconds,
            retry=RetryPolicy(max_attempts=self.max_attempts),
        )


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "ecb_fx": EcbFxResource(max_attempts=PipelineSettings.from_env().api_max_attempts)
        }
    )
