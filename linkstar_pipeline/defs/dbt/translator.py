"""How dbt nodes appear in Dagster: grouped by layer, so the lineage graph reads
raw sources → staging → intermediate → marts like docs/architecture.md.

A dbt source is the Dagster asset that lands it: a source table names that asset in
`meta.dagster.asset_key` when the names differ (one landing asset may write several source
tables, e.g. statements and their transactions). Every dbt test is an asset check with a
description a person can read (lib/dbt_test_descriptions.py).
"""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

from linkstar_pipeline.lib.dbt_test_descriptions import describe_dbt_test
from linkstar_pipeline.lib.freshness import DAILY_FRESHNESS

LAYERS = ("staging", "intermediate", "marts")


class LinkstarDbtTranslator(DagsterDbtTranslator):
    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: Any
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        return spec.replace_attributes(freshness_policy=DAILY_FRESHNESS)

    def get_asset_check_spec(
        self,
        asset_spec: dg.AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: Any,
    ) -> dg.AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        return spec._replace(description=describe_dbt_test(manifest["nodes"][unique_id]))

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        for layer in LAYERS:
            if layer in fqn:
                return layer
        return super().get_group_name(dbt_resource_props)


linkstar_dbt_translator = LinkstarDbtTranslator(
    settings=DagsterDbtTranslatorSettings(
        enable_asset_checks=True, enable_duplicate_source_asset_keys=True
    )
)
