"""Pick up ERP exports as soon as they land in the inbox, not at the next nightly run."""

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from linkstar_pipeline.defs.erp import assets as erp_assets
from linkstar_pipeline.defs.reports.partitions import REPORTS_GROUP
from linkstar_pipeline.lib.erp_inbox import ErpFolders
from linkstar_pipeline.lib.erp_inbox_listing import list_inbox
from linkstar_pipeline.lib.paths import linkstar_paths

ERP_IMPORT_JOB_NAME = "erp_import"

# The import and everything built from ERP data (dbt models downstream, the published marts);
# the reports follow the publish through their own sensor.
erp_import = dg.define_asset_job(
    name=ERP_IMPORT_JOB_NAME,
    selection=dg.AssetSelection.assets(*erp_assets.ERP_TABLE_KEYS.values()).downstream()
    - dg.AssetSelection.groups(REPORTS_GROUP),
    description="Load the ERP exports waiting in the inbox and rebuild what depends on them.",
)


@dg.sensor(
    job=erp_import,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Every minute: once the files in the ERP inbox have stayed unchanged for one tick "
        "(no copy in progress), import them."
    ),
)
def erp_inbox_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    listing = list_inbox(ErpFolders.under(linkstar_paths()).inbox, datetime.now(UTC))
    files = listing.exports
    if not files:
        waiting = "; ".join(f"{w.name}: {w.reason}" for w in listing.waiting[:5])
        reason = (
            f"No ERP export to read; waiting: {waiting}" if waiting else "The ERP inbox is empty."
        )
        return dg.SensorResult(skip_reason=reason, cursor="{}")
    state = json.loads(context.cursor or "{}")
    current = inbox_fingerprint(files)
    if current != state.get("seen"):
        # New or still growing: wait one tick so a half-copied file is not read.
        state["seen"] = current
        return dg.SensorResult(
            skip_reason=f"{len(files)} ERP file(s) in the inbox; waiting for them to settle.",
            cursor=json.dumps(state),
        )
    if current == state.get("requested"):
        return dg.SensorResult(skip_reason="No new ERP export since the last run request.")
    state["requested"] = current
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=current, tags={"linkstar/trigger": "erp_inbox"})],
        cursor=json.dumps(state),
    )


def inbox_fingerprint(files: list[Path]) -> str:
    """Names, sizes and modification times: any file added, grown or touched changes it."""
    parts = [f"{p}|{p.stat().st_size}|{p.stat().st_mtime_ns}" for p in files]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()
