"""ERP exports through to the inventory marts (issue 16, items 6 and 7): which of two files
with the same keys wins, and a formula cell that must never reach a mart. Real exports in a
temporary inbox, the real reader and import, a real dbt run, the real warehouse file."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, date, datetime

import duckdb
import pytest

from connectors.erp_files import ErpFileRejected, read_erp_file
from connectors.erp_files.values import FORMULA_LEADS
from linkstar_pipeline.defs.dbt.project import dbt_project
from linkstar_pipeline.lib.dbt_source_folders import ensure_every_feed_readable
from linkstar_pipeline.lib.erp_inbox import ErpFolders, import_inbox
from linkstar_pipeline.lib.paths import linkstar_paths
from tests.e2e.dbt_cli import run_dbt

STAMP = datetime(2026, 11, 20, 12, tzinfo=UTC)  # every file loads in the same second
HEADER = "SKU,仓库名称,可用库存,在途库存"  # Dianxiaomi's stock export, dated by its file name
COUNT_DAY = date(2026, 11, 18)
INJECTION = "=cmd|' /C calc'!A0"


def _export(folder, name: str, rows: list[str]):
    path = folder / name
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8-sig"))
    return path


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Two same-day counts of A-1 whose SHA-256 order is the opposite of their modification
    order (and whose names sort the other way too), plus an export with a formula cell."""
    root = tmp_path_factory.mktemp("erp-marts")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("LINKSTAR_HOME", str(root / "home"))
        paths = linkstar_paths()
        folders = ErpFolders.under(paths)
        folders.inbox.mkdir(parents=True)
        day = COUNT_DAY.strftime("%Y%m%d")
        first = _export(folders.inbox, f"stock_{day}_b.csv", ["A-1,深圳仓,5,0", "C-1,深圳仓,1,0"])
        second = _export(folders.inbox, f"stock_{day}_a.csv", ["A-1,深圳仓,7,0", "C-1,深圳仓,2,0"])
        earlier, later = sorted(
            [first, second], key=_sha256, reverse=True
        )  # SHA would pick earlier
        os.utime(earlier, (1_794_000_000, 1_794_000_000))
        os.utime(later, (1_794_000_060, 1_794_000_060))
        later_counts = {
            sku: int(on_hand)
            for sku, _, on_hand, _ in (
                line.split(",") for line in later.read_text("utf-8-sig").splitlines()[1:]
            )
        }
        injected = _export(
            folders.inbox, "stock_20261119.csv", ["B-1,深圳仓,3,0", f"B-2,{INJECTION},4,0"]
        )
        os.utime(injected, (1_794_000_120, 1_794_000_120))
        outcome = import_inbox(folders, read_erp_file, (ErpFileRejected,), now=lambda: STAMP)
        ensure_every_feed_readable(dbt_project.manifest_path, paths.raw_dir)
        run_dbt(
            paths.home,
            *("build", "--select", "+kpi_inventory_risk"),
            *("--resource-type", "seed", "--resource-type", "model"),
            target_path=root / "target",
        )
        yield paths.home, outcome, later_counts


def _rows(home, sql: str) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as warehouse:
        return warehouse.execute(sql).fetchall()


def test_of_two_files_loaded_in_the_same_second_the_later_modified_one_wins(built):
    home, outcome, later_counts = built
    assert len({loaded.name for loaded in outcome.loaded}) == 2
    counted = _rows(
        home,
        "select seller_sku, units_on_hand from marts.fct_inventory_daily "
        f"where local_date = '{COUNT_DAY}' and warehouse = '深圳仓'",
    )
    assert dict(counted) == later_counts


def test_a_formula_cell_rejects_its_export_and_never_reaches_the_inventory_marts(built):
    home, outcome, _ = built
    [rejected] = outcome.rejected
    assert rejected.name == "stock_20261119.csv"
    assert "row 3, column 仓库名称 (warehouse)" in rejected.reason
    assert "formula injection" in rejected.reason
    text_values = _rows(
        home,
        "select seller_sku from marts.fct_inventory_daily union all "
        "select warehouse from marts.fct_inventory_daily union all "
        "select seller_sku from marts.kpi_inventory_risk union all "
        "select warehouse from marts.kpi_inventory_risk",
    )
    assert text_values and not [v for (v,) in text_values if str(v).startswith(FORMULA_LEADS)]
    assert not {"B-1", "B-2"} & {v for (v,) in text_values}  # nothing of that file
