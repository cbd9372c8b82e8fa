"""The region each market reports under, read from the example KPI configuration's YAML as
plain YAML (not from the marts), for the tests of the drivers marts' region rows."""

from __future__ import annotations

from pathlib import Path

import yaml

ORGANISATION = Path(__file__).resolve().parents[2] / "kpi_config" / "organisation.yml"
# The drivers marts' region for a shop the configuration puts in no region.
UNASSIGNED = "unassigned"


def region_of_market() -> dict[str, str]:
    regions = yaml.safe_load(ORGANISATION.read_text(encoding="utf-8"))["regions"]
    return {market: region["id"] for region in regions for market in region["markets"]}
