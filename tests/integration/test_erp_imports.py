"""ERP file drops on real parts: sample exports in every vendor × format, a real Dagster
materialization, real files moved between inbox, raw, archive and rejected, and the sensor.

Expected rows come from the sandbox writer's own truth (`erp_export_truth`), not the reader."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import UTC, date, datetime
from decimal import Decimal

import dagster as dg
import pytest

from linkstar_pipeline.defs.erp import sensors as erp_sensors
from linkstar_pipeline.defs.erp.assets import erp_file_imports
from linkstar_pipeline.defs.erp.checks import erp_exports_were_all_readable
from linkstar_pipeline.defs.erp.resources import ErpFilesResource
from linkstar_pipeline.lib.erp_inbox import ErpFolders, pending_exports
from linkstar_pipeline.lib.paths import linkstar_paths
from sandbox.erp_exports import (
    FILE_FORMATS,
    VENDORS,
    erp_export_truth,
    write_broken_erp_files,
    write_erp_exports,
)
from sandbox.generator import DatasetConfig, generate_dataset

AS_OF = int(datetime(2026, 11, 20, 12, tzinfo=UTC).timestamp())


@pytest.fixture(scope="module")
def dataset():
    return generate_dataset(
        DatasetConfig(
            seed=7, start_date=date(2026, 11, 1), end_date=date(2026, 11, 20), orders_per_shop_day=6
        )
    )


def run_import() -> dg.ExecuteInProcessResult:
    result = dg.materialize([erp_file_imports], resources={"erp_files": ErpFilesResource()})
    assert result.success
    return result


def landed_rows(folders: ErpFolders, kind: str) -> list[dict]:
    rows = []
    for path in sorted((folders.landed / kind).glob("*.jsonl.gz")):
        text = gzip.decompress(path.read_bytes()).decode("utf-8")
        rows += [json.loads(line) for line in text.splitlines()]
    return rows


def comparable(landed: object, expected: object) -> object:
    """Money compares by value: an .xlsx cell holds 36.8 where a CSV holds "36.80"."""
    if isinstance(expected, Decimal) and landed is not None:
        return Decimal(str(landed))
    return landed


def as_landed(value: object) -> object:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


@pytest.mark.parametrize("file_format", FILE_FORMATS)
def test_every_vendor_in_every_format_lands_exactly_its_rows(linkstar_home, dataset, file_format):
    formats = dict.fromkeys(VENDORS, file_format)
    folders = ErpFolders.under(linkstar_paths())
    write_erp_exports(dataset, folders.inbox, AS_OF, formats=formats)
    truth = erp_export_truth(dataset, AS_OF, formats=formats)

    run_import()

    assert pending_exports(folders.inbox) == []
    for expected in truth.files:
        got = [r for r in landed_rows(folders, expected.kind) if r["file_name"] == expected.name]
        assert len(got) == len(expected.rows) > 0, expected.name
        for landed, row in zip(sorted(got, key=lambda r: r["source_row"]), expected.rows):
            assert {k: comparable(landed[k], v) for k, v in row.items()} == {
                k: as_landed(v) for k, v in row.items()
            }
            assert landed["vendor"] == expected.vendor
    archived = sorted(p.name.split("__", 1)[1] for p in folders.archive.rglob("*") if p.is_file())
    assert archived == sorted(f.name for f in truth.files)


def test_a_file_dropped_twice_is_loaded_once_and_a_changed_one_is_a_new_version(
    linkstar_home, dataset
):
    folders = ErpFolders.under(linkstar_paths())
    [first] = [
        p for p in write_erp_exports(dataset, folders.inbox, AS_OF) if "inventory" in p.name
    ][:1]
    for other in pending_exports(folders.inbox):
        if other != first:
            other.unlink()
    copy = first.read_bytes()
    run_import()
    landed_once = landed_rows(folders, "inventory_snapshot")

    (folders.inbox / first.name).write_bytes(copy)  # the same bytes again
    result = run_import()
    assert landed_rows(folders, "inventory_snapshot") == landed_once
    metadata = result.asset_materializations_for_node("erp_file_imports")[0].metadata
    assert metadata["files_already_loaded"].value == 1

    # The next day's export of the same vendor, saved under the same name: a new version.
    staging_dir = linkstar_home / "next_day"
    later = write_erp_exports(dataset, staging_dir, AS_OF + 86400)
    vendor = first.name.split("_", 1)[0]
    [replacement] = [p for p in later if p.name.startswith(f"{vendor}_inventory")]
    assert replacement.read_bytes() != copy
    shutil.move(str(replacement), str(folders.inbox / first.name))
    run_import()
    versions = {r["file_sha256"] for r in landed_rows(folders, "inventory_snapshot")}
    assert len(versions) == 2


def test_broken_files_are_rejected_whole_with_a_report_and_the_good_ones_still_load(
    linkstar_home, dataset, tmp_path
):
    folders = ErpFolders.under(linkstar_paths())
    good = write_erp_exports(dataset, folders.inbox, AS_OF)
    broken = write_broken_erp_files(dataset, tmp_path / "broken", AS_OF)
    for case in broken:
        shutil.move(str(case.path), str(folders.inbox / case.path.name))

    run_import()

    loaded_names = {
        r["file_name"]
        for kind in ("order_fulfilment", "sku_landed_cost", "inventory_snapshot")
        for r in landed_rows(folders, kind)
    }
    assert loaded_names == {p.name for p in good}
    reports = {p.name: p.read_text(encoding="utf-8") for p in folders.rejected.glob("*.report.txt")}
    assert len(reports) == len(broken)
    for case in broken:
        [report] = [
            text
            for name, text in reports.items()
            if name.endswith(f"__{case.path.name}.report.txt")
        ]
        assert case.path.name in report and case.message_part in report, (case.case, report)
        if case.row is not None:
            assert f"row {case.row}" in report
        if case.column is not None:
            assert case.column in report
    check = erp_exports_were_all_readable()
    assert not check.passed
    assert check.metadata["rejected_files"].value == len(broken)


def test_the_sensor_waits_for_files_to_settle_then_requests_one_run(linkstar_home, dataset):
    folders = ErpFolders.under(linkstar_paths())
    instance = dg.DagsterInstance.ephemeral()

    def tick(cursor):
        context = dg.build_sensor_context(instance=instance, cursor=cursor)
        return erp_sensors.erp_inbox_sensor(context)

    empty = tick(None)
    assert not empty.run_requests
    write_erp_exports(dataset, folders.inbox, AS_OF)
    settling = tick(empty.cursor)
    assert not settling.run_requests
    ready = tick(settling.cursor)
    assert len(ready.run_requests) == 1
    again = tick(ready.cursor)
    assert not again.run_requests
