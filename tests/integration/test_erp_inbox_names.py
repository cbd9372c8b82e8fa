"""What the ERP inbox holds besides exports (issue 16, item 9): hidden, lock and partial
files are reported with a reason (an old `.part` as stale), a symbolic link out of the inbox is
refused, and a control character in a file name is escaped in logs, reports and landed rows.
The real reader, the real import asset and real files in a temporary LINKSTAR_HOME."""

from __future__ import annotations

import gzip
import json
import os
from datetime import UTC, datetime

import dagster as dg
import pytest

from connectors.erp_files import ErpFileRejected, read_erp_file
from linkstar_pipeline.defs.erp.assets import erp_file_imports
from linkstar_pipeline.defs.erp.resources import ErpFilesResource
from linkstar_pipeline.lib.erp_inbox import ErpFolders, import_inbox
from linkstar_pipeline.lib.paths import linkstar_paths

STAMP = datetime(2026, 11, 20, 12, tzinfo=UTC)
EXPORT = "订单号,包裹号,SKU,数量\r\n5700000000000000001,XM1,A-1,1\r\n"
# A name that, printed raw, would add a forged line to the log.
FORGED = "orders\nERP export fake.csv rejected: 0 problems.csv"


@pytest.fixture
def folders(linkstar_home) -> ErpFolders:
    found = ErpFolders.under(linkstar_paths(), environ={})
    found.inbox.mkdir(parents=True)
    return found


def _drop(folders: ErpFolders, name: str, text: str = EXPORT, age_minutes: int = 0):
    path = folders.inbox / name
    path.write_bytes(text.encode("utf-8-sig"))
    moment = STAMP.timestamp() - age_minutes * 60
    os.utime(path, (moment, moment))
    return path


def _import(folders: ErpFolders):
    return import_inbox(folders, read_erp_file, (ErpFileRejected,), now=lambda: STAMP)


def _landed_file_names(folders: ErpFolders) -> set[str]:
    names = set()
    for path in (folders.landed / "order_fulfilment").glob("*.jsonl.gz"):
        lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
        names |= {json.loads(line)["file_name"] for line in lines}
    return names


def test_hidden_lock_and_partial_files_are_reported_waiting_and_an_old_part_is_stale(folders):
    _drop(folders, "orders.csv")
    _drop(folders, ".orders_backup.csv")
    _drop(folders, "~$orders.xlsx")
    _drop(folders, "today.csv.part", age_minutes=2)
    _drop(folders, "yesterday.csv.part", age_minutes=24 * 60)

    outcome = _import(folders)

    assert [loaded.name for loaded in outcome.loaded] == ["orders.csv"]
    waiting = {w.name: w for w in outcome.waiting}
    assert set(waiting) == {
        ".orders_backup.csv",
        "~$orders.xlsx",
        "today.csv.part",
        "yesterday.csv.part",
    }
    assert "hidden file" in waiting[".orders_backup.csv"].reason
    assert "lock file" in waiting["~$orders.xlsx"].reason
    assert "being copied" in waiting["today.csv.part"].reason
    assert [w.name for w in outcome.waiting if w.stale] == ["yesterday.csv.part"]
    assert "unchanged for 1440 minutes" in waiting["yesterday.csv.part"].reason
    assert all((folders.inbox / name).exists() for name in waiting)  # reported, left alone


def test_a_symbolic_link_to_a_file_outside_the_inbox_is_refused_and_its_target_untouched(
    folders, tmp_path
):
    outside = tmp_path / "elsewhere" / "orders.csv"
    outside.parent.mkdir()
    outside.write_bytes(EXPORT.encode("utf-8-sig"))
    (folders.inbox / "orders.csv").symlink_to(outside)

    outcome = _import(folders)

    assert not outcome.loaded and not _landed_file_names(folders)
    [rejected] = outcome.rejected
    assert "symbolic link" in rejected.reason and str(outside) in rejected.reason
    assert rejected.moved_to.is_symlink() and rejected.report.exists()
    assert outside.read_bytes() == EXPORT.encode("utf-8-sig")


def test_a_symbolic_link_inside_the_inbox_is_read_like_its_target(folders, tmp_path):
    real = _drop(folders, "orders.csv")
    (folders.inbox / "alias.csv").symlink_to(real)
    (folders.inbox / "more").symlink_to(tmp_path, target_is_directory=True)
    outcome = _import(folders)
    assert len(outcome.loaded) == 1 and len(outcome.duplicates) == 1 and not outcome.rejected
    assert [(w.name, "link to a folder" in w.reason) for w in outcome.waiting] == [("more", True)]


def test_a_newline_in_a_file_name_is_escaped_in_the_log_the_report_and_the_landed_rows(folders):
    _drop(folders, FORGED)
    _drop(
        folders, "bad\n" + FORGED, "订单号,包裹号,SKU,数量\r\n5700000000000000001,XM1,A-1,many\r\n"
    )
    instance = dg.DagsterInstance.ephemeral()

    result = dg.materialize(
        [erp_file_imports], resources={"erp_files": ErpFilesResource()}, instance=instance
    )

    assert result.success
    escaped = FORGED.replace("\n", "\\n")
    assert _landed_file_names(folders) == {escaped}
    [report] = folders.rejected.glob("*.report.txt")
    assert "\n" not in report.name
    first_line = report.read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("ERP export ") and f"bad\\n{escaped}" in first_line
    messages = [entry.user_message for entry in instance.all_logs(result.run_id)]
    assert any(escaped in message for message in messages)
    assert not any(FORGED in message for message in messages)
