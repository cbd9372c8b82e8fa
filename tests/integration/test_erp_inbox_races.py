"""Two ERP imports at once, files taken from under an import, and same-named files from
inbox sub-folders: nothing crashes, nothing is loaded twice, nothing overwrites anything
(issue 16, item 4). Real files in a temporary LINKSTAR_HOME; the parser is a stand-in, so
these tests are about the inbox's moves, not about reading exports."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from linkstar_pipeline.lib.erp_inbox import ErpFolders, ImportOutcome, import_inbox
from linkstar_pipeline.lib.paths import linkstar_paths

STAMP = datetime(2026, 11, 20, 12, tzinfo=UTC)


class Unreadable(Exception):
    pass


@dataclass
class Parsed:
    sha256: str
    vendor: str = "lingxing"
    kind: str = "orders"
    mapping_version: str = "v1"
    encoding: str = "utf-8"
    rows: list[dict[str, Any]] = field(default_factory=lambda: [{"order_no": "1"}])


def parse(path: Path) -> Parsed:
    text = path.read_text(encoding="utf-8")
    if text.startswith("broken"):
        raise Unreadable(f"{path.name}: {text.strip()}")
    return Parsed(sha256="")


@pytest.fixture
def folders(linkstar_home) -> ErpFolders:
    found = ErpFolders.under(linkstar_paths(), environ={})
    found.inbox.mkdir(parents=True)
    return found


def drop(folders: ErpFolders, relative: str, text: str) -> None:
    path = folders.inbox / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def run(folders: ErpFolders, parser=parse) -> ImportOutcome:
    return import_inbox(folders, parser, (Unreadable,), now=lambda: STAMP)


def test_a_second_import_started_mid_way_through_the_first_neither_crashes_nor_loads_twice(
    folders,
):
    for number in range(4):
        drop(folders, f"orders_{number}.csv", f"export {number}")
    second: dict[str, Any] = {}

    def start_second_import() -> None:
        try:
            second["outcome"] = run(folders)
        except OSError as error:  # the bare FileNotFoundError this test is about
            second["error"] = error

    others: list[threading.Thread] = []

    def first_parser(path: Path) -> Parsed:
        if not others:  # the sensor's run starts while the nightly reads its first file
            others.append(threading.Thread(target=start_second_import))
            others[0].start()
            # Give the second import time to reach the inbox (with the lock it waits for this
            # one). A sleep, not join(timeout=2): a timed wait on a thread that cannot finish
            # never returns under faketime (the suite also runs with the date moved).
            time.sleep(2)
        return parse(path)

    first = run(folders, first_parser)
    others[0].join(timeout=30)

    assert "error" not in second, f"the second import crashed: {second.get('error')!r}"
    loaded = [f.name for f in first.loaded] + [f.name for f in second["outcome"].loaded]
    assert sorted(loaded) == [f"orders_{n}.csv" for n in range(4)]
    assert not list(folders.inbox.rglob("*.csv"))


def test_a_file_taken_by_another_import_after_listing_is_skipped_not_a_crash(folders):
    drop(folders, "a.csv", "export a")
    drop(folders, "b.csv", "export b")

    def parser_that_loses_b(path: Path) -> Parsed:
        (folders.inbox / "b.csv").unlink(missing_ok=True)  # another home's import took it
        return parse(path)

    outcome = run(folders, parser_that_loses_b)
    assert [f.name for f in outcome.loaded] == ["a.csv"]
    assert outcome.vanished == ["b.csv"]


def test_same_named_rejected_files_from_two_sub_folders_keep_both_files_and_reports(folders):
    drop(folders, "shop_a/orders.csv", "broken: row 3 has no order number")
    drop(folders, "shop_b/orders.csv", "broken: column 数量 is missing")

    outcome = run(folders)

    assert len(outcome.rejected) == 2
    moved = {r.moved_to for r in outcome.rejected}
    reports = {r.report for r in outcome.rejected}
    assert len(moved) == 2 and len(reports) == 2
    assert all(path.exists() for path in moved | reports)
    texts = sorted(report.read_text(encoding="utf-8") for report in reports)
    assert texts == [
        "orders.csv: broken: column 数量 is missing\n",
        "orders.csv: broken: row 3 has no order number\n",
    ]


def test_the_same_export_dropped_in_two_sub_folders_is_loaded_once_and_both_copies_archived(
    folders,
):
    drop(folders, "monday/orders.csv", "export x")
    drop(folders, "tuesday/orders.csv", "export x")

    outcome = run(folders)

    assert len(outcome.loaded) == 1 and outcome.duplicates == ["orders.csv"]
    archived = sorted(path.name for path in folders.archive.rglob("*.csv"))
    assert len(archived) == 2 and len(set(archived)) == 2
