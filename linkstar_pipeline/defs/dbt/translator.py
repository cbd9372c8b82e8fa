"""How dbt nodes appear in Dagster: grouped by layer, so the lineage graph reads
raw sources → staging → intermediate → marts like docs/architecture.md."""

from collections.abc import Mapping
from typing import Any

from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

LAYERS = ("staging", "intermediate", "marts")


class LinkstarDbtTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        for layer in LAYERS:
            if layer in fqn:
                return layer
        return super().get_group_name(dbt_resource_props)


linkstar_dbt_translator = LinkstarDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
