"""The loud side of ERP imports: a rejected export fails a check that names it."""

import dagster as dg

# The module, not its assets: names imported here would be loaded as this module's assets too.
from linkstar_pipeline.defs.erp import assets as erp_assets
from linkstar_pipeline.lib.erp_inbox import ErpFolders
from linkstar_pipeline.lib.paths import linkstar_paths


@dg.asset_check(
    asset=erp_assets.ERP_TABLE_KEYS["order_fulfilment"],
    description=(
        "No ERP export (of any kind) is waiting in the rejected folder. Each rejected file has a report "
        "beside it naming the row and column to fix; drop the fixed file into the inbox again "
        "and delete the rejected copy."
    ),
)
def erp_exports_were_all_readable() -> dg.AssetCheckResult:
    rejected = ErpFolders.under(linkstar_paths()).rejected
    reports = sorted(rejected.glob("*.report.txt")) if rejected.exists() else []
    first_lines = [report.read_text(encoding="utf-8").splitlines()[0] for report in reports]
    return dg.AssetCheckResult(
        passed=not reports,
        metadata={
            "rejected_files": len(reports),
            "reports": dg.MetadataValue.json([str(r) for r in reports[:50]]),
            "first_problems": dg.MetadataValue.json(first_lines[:50]),
        },
    )
