"""ERP ingestion: every export waiting in the inbox is loaded whole or rejected whole.

Unpartitioned: a file is its own unit of replay (landed rows are named by the file's SHA-256
and kept), so there is no date range to re-fetch. Rejected files do not fail the run — the
other files still load — but the check `erp_exports_were_all_readable` fails and names them.
"""

import dagster as dg

from connectors.erp_files import CANONICAL_TABLES, ErpFileRejected, read_erp_file
from linkstar_pipeline.defs.erp.resources import ErpFilesResource
from linkstar_pipeline.lib.erp_inbox import ErpFolders, ensure_every_kind_has_a_file, import_inbox
from linkstar_pipeline.lib.freshness import DAILY_FRESHNESS
from linkstar_pipeline.lib.paths import linkstar_paths

GROUP = "erp"


ERP_TABLE_KEYS = {kind: dg.AssetKey(["erp", kind]) for kind in CANONICAL_TABLES}
_DESCRIPTIONS = {
    "order_fulfilment": "ERP packages per TikTok order and seller SKU: shipped and signed-for "
    "times, carrier, warehouse, shipping and purchase costs.",
    "sku_landed_cost": "Purchase cost and first-leg freight per seller SKU.",
    "inventory_snapshot": "Units on hand and in transit per seller SKU, warehouse and day.",
}


@dg.multi_asset(
    name="erp_file_imports",
    specs=[
        dg.AssetSpec(
            key,
            group_name=GROUP,
            kinds={"python", "excel", "csv"},
            freshness_policy=DAILY_FRESHNESS,
            description=(
                f"{_DESCRIPTIONS[kind]} Canonical rows from the ERP exports (.xlsx/.csv from "
                "店小秘, 马帮, 领星) found in the inbox ($ERP_IMPORT_DIR or "
                f"$LINKSTAR_HOME/inbox/erp), landed as raw/erp/{kind}/<sha256>.jsonl.gz."
            ),
        )
        for kind, key in ERP_TABLE_KEYS.items()
    ],
    description=(
        "Import every ERP export waiting in the inbox: each file is read through its vendor's "
        "mapping file and landed whole and archived, or moved to rejected/erp whole with a "
        "report naming file, row and column."
    ),
)
def erp_file_imports(context: dg.AssetExecutionContext, erp_files: ErpFilesResource):
    folders = ErpFolders.under(linkstar_paths())
    mappings = erp_files.mappings()
    outcome = import_inbox(folders, lambda path: read_erp_file(path, mappings), (ErpFileRejected,))
    ensure_every_kind_has_a_file(folders, CANONICAL_TABLES)
    for loaded in outcome.loaded:
        context.log.info(
            f"ERP {loaded.vendor} {loaded.kind}: {loaded.rows} rows from {loaded.name} "
            f"(sha256 {loaded.sha256[:12]}), archived to {loaded.archived_to}"
        )
    for rejected in outcome.rejected:
        context.log.error(f"{rejected.reason}\n  moved to {rejected.moved_to}")
    for name in outcome.duplicates:
        context.log.info(f"ERP {name}: already loaded (same SHA-256), archived without loading")
    for name in outcome.vanished:
        context.log.warning(f"ERP {name!r}: left the inbox before it could be read, skipped")
    for waiting in outcome.waiting:
        log = context.log.warning if waiting.stale else context.log.info
        log(f"ERP inbox {waiting.name}: {waiting.reason}")
    rows = outcome.rows_by_kind()
    for kind, key in ERP_TABLE_KEYS.items():
        files = [f for f in outcome.loaded if f.kind == kind]
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                "files_loaded": len(files),
                "rows_loaded": rows.get(kind, 0),
                "loaded": dg.MetadataValue.json(
                    [{"file": f.name, "vendor": f.vendor, "rows": f.rows} for f in files]
                ),
                "files_rejected_in_this_import": len(outcome.rejected),
                "rejected": dg.MetadataValue.json(
                    [{"file": r.name, "report": str(r.report)} for r in outcome.rejected]
                ),
                "files_already_loaded": len(outcome.duplicates),
                "files_vanished": len(outcome.vanished),
                "files_waiting": len(outcome.waiting),
                "waiting": dg.MetadataValue.json(
                    [
                        {"file": w.name, "reason": w.reason, "stale": w.stale}
                        for w in outcome.waiting
                    ]
                ),
                "inbox": dg.MetadataValue.path(str(folders.inbox)),
            },
        )
