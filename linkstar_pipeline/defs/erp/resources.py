"""The ERP export reader as a Dagster resource: which mapping files it knows."""

import os
from pathlib import Path

import dagster as dg

from connectors.erp_files import ErpMapping, load_mappings

ENV_MAPPINGS_DIR = "ERP_MAPPINGS_DIR"


class ErpFilesResource(dg.ConfigurableResource):
    """Built-in mappings (connectors/erp_files/mappings) plus a seller's own, if any:
    `ERP_MAPPINGS_DIR` names a folder of extra mapping files (new vendors or export versions)."""

    def mappings(self) -> list[ErpMapping]:
        extra = (os.environ.get(ENV_MAPPINGS_DIR) or "").strip()
        return load_mappings(Path(extra).expanduser() if extra else None)


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources={"erp_files": ErpFilesResource()})
