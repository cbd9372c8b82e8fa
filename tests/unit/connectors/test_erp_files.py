"""The ERP file reader on the sandbox's sample exports, on broken files and on tricky headers
(the sandbox's set of broken exports is in tests/integration/test_fault_matrix.py).

Every expected row comes from the export writer's ground truth (`sandbox.erp_exports`),
computed in plain Python from the generated orders, never from the reader under test.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from connectors.erp_files import (
    MAX_REPORTED_PROBLEMS,
    ErpFileProblem,
    ErpFileRejected,
    load_mappings,
    read_erp_file,
)
from sandbox.erp_exports import (
    CSV_GB18030,
    CSV_UTF8_BOM,
    FILE_FORMATS,
    KINDS,
    VENDORS,
    XLSX,
    erp_export_truth,
    write_erp_exports,
)
from sandbox.generator import DatasetConfig, generate_dataset

AS_OF = int(datetime(2026, 11, 12, 12, 0, tzinfo=UTC).timestamp())
ENCODING_OF_FORMAT = {XLSX: "xlsx", CSV_UTF8_BOM: "utf-8-sig", CSV_GB18030: "gb18030"}
ORDERS_HEADER = "订单号,包裹号,SKU,数量,发货时间,物流费用"


@pytest.fixture(scope="module")
def dataset():
    return generate_dataset(DatasetConfig(7, date(2026, 11, 1), date(2026, 11, 10), 5))


@pytest.fixture(scope="module")
def mappings():
    return load_mappings()


@pytest.fixture(scope="module")
def exports(dataset, tmp_path_factory):
    """Every vendor written in every format: {format: (folder, truth)}."""
    written = {}
    for file_format in FILE_FORMATS:
        formats = dict.fromkeys(VENDORS, file_format)
        folder = tmp_path_factory.mktemp(file_format)
        write_erp_exports(dataset, folder, AS_OF, formats=formats)
        written[file_format] = (folder, erp_export_truth(dataset, AS_OF, formats=formats))
    return written


def _csv(tmp_path: Path, text: str, name: str = "orders.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8-sig"))
    return path


def _xlsx(
    tmp_path: Path, rows: list[list[object]], name: str = "orders.xlsx", sheet: str | None = None
) -> Path:
    """A workbook with `rows` on its first sheet, or on a second sheet named `sheet`."""
    workbook = openpyxl.Workbook()
    target = workbook.create_sheet(sheet) if sheet else workbook.active
    for row in rows:
        target.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def _rejection(path: Path, mappings, **narrow) -> ErpFileRejected:
    with pytest.raises(ErpFileRejected) as caught:
        read_erp_file(path, mappings, **narrow)
    return caught.value


# ---------------------------------------------------------------- sample exports


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("vendor", VENDORS)
@pytest.mark.parametrize("file_format", FILE_FORMATS)
def test_each_vendor_export_in_each_format_reads_back_to_the_writers_truth(
    exports, mappings, file_format, vendor, kind
):
    folder, truth = exports[file_format]
    expected = truth.file(vendor, kind)
    parsed = read_erp_file(folder / expected.name, mappings)
    assert (parsed.vendor, parsed.kind) == (vendor, kind)
    assert parsed.encoding == ENCODING_OF_FORMAT[file_format]
    assert len(parsed.rows) == len(expected.rows) > 0
    assert parsed.rows == list(expected.rows)


def test_default_formats_are_each_vendors_usual_one(dataset, mappings, tmp_path):
    write_erp_exports(dataset, tmp_path, AS_OF)
    truth = erp_export_truth(dataset, AS_OF)
    encodings = {}
    for expected in truth.files:
        parsed = read_erp_file(tmp_path / expected.name, mappings)
        assert parsed.rows == list(expected.rows)
        encodings[parsed.vendor] = parsed.encoding
    assert encodings == {"lingxing": "xlsx", "mabang": "gb18030", "dianxiaomi": "utf-8-sig"}


def test_rows_are_typed_decimal_int_and_aware_utc(exports, mappings):
    folder, truth = exports[XLSX]
    parsed = read_erp_file(folder / truth.file("lingxing", "order_fulfilment").name, mappings)
    row = next(r for r in parsed.rows if r["shipping_cost"] is not None)
    assert isinstance(row["shipping_cost"], Decimal)
    assert isinstance(row["purchase_cost"], Decimal)
    assert isinstance(row["quantity"], int)
    assert row["shipped_at"].tzinfo is UTC
    assert row["source_row"] >= 2
    assert not any(isinstance(v, float) for r in parsed.rows for v in r.values())


def test_result_names_mapping_hash_headers_and_leftovers(exports, mappings):
    folder, truth = exports[XLSX]
    path = folder / truth.file("lingxing", "order_fulfilment").name
    parsed = read_erp_file(path, mappings)
    assert parsed.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert parsed.mapping_version == "2026.1"
    assert parsed.mapping_source.endswith("lingxing_orders.toml")
    assert parsed.columns["seller_sku"] == "MSKU"
    assert set(parsed.ignored_headers) == {"订单状态", "SKU", "品名", "估算物流运费"}
    assert parsed.sheet == "Sheet1"


def test_inventory_without_a_date_column_is_dated_by_its_file_name(exports, mappings):
    folder, truth = exports[CSV_UTF8_BOM]
    parsed = read_erp_file(folder / truth.file("dianxiaomi", "inventory_snapshot").name, mappings)
    assert "snapshot_date" not in parsed.columns
    assert {r["snapshot_date"] for r in parsed.rows} == {date(2026, 11, 12)}


def test_inventory_without_a_date_anywhere_is_rejected(mappings, tmp_path):
    path = _csv(tmp_path, "SKU,仓库名称,可用库存\r\nA-1,广州仓,5\r\n", name="库存.csv")
    rejection = _rejection(path, mappings)
    assert rejection.problems[0].column == "日期 (snapshot_date)"
    assert "file name" in rejection.problems[0].message


# ------------------------------------------------------------------- broken files
# The sandbox's broken exports (`BROKEN_CASES`) are in the fault matrix:
# tests/integration/test_fault_matrix.py::test_a_broken_erp_export_is_rejected_whole_naming_file_row_and_column


def test_a_legacy_xls_renamed_xlsx_says_so(mappings, tmp_path):
    path = tmp_path / "orders.xlsx"
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 512)
    assert "legacy Excel 97" in str(_rejection(path, mappings))


def test_a_file_with_many_bad_rows_reports_the_first_fifty_and_counts_the_rest(mappings, tmp_path):
    lines = [ORDERS_HEADER] + [f"57{n:016d},XM{n},A-1,many,,1.00" for n in range(60)]
    rejection = _rejection(_csv(tmp_path, "\r\n".join(lines)), mappings)
    assert rejection.total_problems == 60
    assert len(rejection.problems) == MAX_REPORTED_PROBLEMS
    assert rejection.problems[0] == ErpFileProblem(
        rejection.file, 2, "数量 (quantity)", "'many' is not a whole number (e.g. 1,250)"
    )
    assert "... and 10 more" in str(rejection)


def test_one_bad_row_rejects_the_whole_file_and_every_problem_is_listed(mappings, tmp_path):
    text = (
        f"{ORDERS_HEADER}\r\n"
        "5700000000000000001,XM1,A-1,1,2026-11-05 10:00:00,12.00\r\n"
        "5700000000000000002,XM2,A-1,1,2026-11-05 25:00:00,abc\r\n"
        "5700000000000000003,XM3,,2,2026-11-05 10:00:00,3.00\r\n"
    )
    rejection = _rejection(_csv(tmp_path, text), mappings)
    assert [(p.row, p.column) for p in rejection.problems] == [
        (3, "发货时间 (shipped_at)"),
        (3, "物流费用 (shipping_cost)"),
        (4, "SKU (seller_sku)"),
    ]


def test_a_value_right_of_the_last_header_is_a_shifted_row(mappings, tmp_path):
    text = f"{ORDERS_HEADER}\r\n5700000000000000001,XM1,A-1,1,2026-11-05 10:00,1,234.00\r\n"
    rejection = _rejection(_csv(tmp_path, text), mappings)
    assert rejection.problems[0].row == 2
    assert "right of the last header" in rejection.problems[0].message


def test_an_id_excel_rounded_to_a_float_is_rejected_in_a_workbook(mappings, tmp_path):
    path = _xlsx(tmp_path, [ORDERS_HEADER.split(","), [5.7e17, "XM1", "A-1", 1, None, None]])
    rejection = _rejection(path, mappings)
    assert rejection.problems[0].column == "订单号 (platform_order_id)"
    assert "rounded to 15 digits" in rejection.problems[0].message


def test_rejections_survive_pickling_for_multiprocess_runs(mappings, tmp_path):
    text = f"{ORDERS_HEADER}\r\n5700000000000000001,XM1,A-1,1,2026-11-05 10:00:00,约15元\r\n"
    rejection = _rejection(_csv(tmp_path, text), mappings)
    again = pickle.loads(pickle.dumps(rejection))
    assert again.problems == rejection.problems and str(again) == str(rejection)


# ----------------------------------------------------------- headers and detection


def test_headers_with_spaces_full_width_forms_and_case_still_match(mappings, tmp_path):
    text = (
        " 订单号 ,包裹号\u3000,ｓｋｕ,数 量,备注\r\n"
        "5700000000000000001,XM1,A-1,2,加急\r\n"
        ",,,,\r\n"
        "\r\n"
    )
    parsed = read_erp_file(_csv(tmp_path, text), mappings)
    assert parsed.vendor == "dianxiaomi"
    assert parsed.rows == [
        {
            "platform_order_id": "5700000000000000001",
            "erp_order_no": "XM1",
            "shop_name": None,
            "seller_sku": "A-1",
            "quantity": 2,
            "warehouse": None,
            "carrier": None,
            "tracking_number": None,
            "shipped_at": None,
            "signed_for_at": None,
            "shipping_cost": None,
            "shipping_cost_currency": "CNY",
            "purchase_cost": None,
            "first_leg_freight": None,
            "source_row": 2,
            "source_sheet": None,
        }
    ]
    assert parsed.ignored_headers == ("备注",)


def test_two_headers_for_the_same_column_are_an_error(mappings, tmp_path):
    text = f"{ORDERS_HEADER},运单号,物流单号\r\n5700000000000000001,XM1,A-1,1,,,T1,T2\r\n"
    rejection = _rejection(_csv(tmp_path, text), mappings)
    assert [(p.row, p.column) for p in rejection.problems] == [
        (1, "运单号 / 物流单号 (tracking_number)")
    ]


def test_no_matching_mapping_lists_the_closest_mappings_missing_headers(mappings, tmp_path):
    rejection = _rejection(_csv(tmp_path, "订单号,包裹号,SKU,件数\r\n1,2,3,4\r\n"), mappings)
    assert [(p.row, p.column) for p in rejection.problems] == [(1, "数量 (quantity)")]
    assert "dianxiaomi order_fulfilment" in rejection.problems[0].message
    assert "数量 / 商品数量" in rejection.problems[0].message


def test_a_header_matching_two_mappings_is_ambiguous_and_names_both(mappings, tmp_path):
    copy = Path(mappings[0].source).read_text(encoding="utf-8")
    extra = tmp_path / "mappings"
    extra.mkdir()
    name = Path(mappings[0].source).name
    (extra / name).write_text(copy.replace('version = "2026.1"', 'version = "2027.1"'), "utf-8")
    both = load_mappings(extra)
    path = _csv(tmp_path, "SKU,仓库名称,可用库存\r\nA-1,广州仓,5\r\n", name="库存_20261120.csv")
    rejection = _rejection(path, both)
    message = rejection.problems[0].message
    assert "matches 2 mappings" in message and "v2026.1" in message and "v2027.1" in message
    assert read_erp_file(path, [m for m in both if m.version == "2027.1"]).rows


def test_vendor_and_kind_narrow_the_mappings_tried(exports, mappings):
    folder, truth = exports[CSV_UTF8_BOM]
    path = folder / truth.file("mabang", "order_fulfilment").name
    assert read_erp_file(path, mappings, vendor="mabang").kind == "order_fulfilment"
    rejection = _rejection(path, mappings, kind="inventory_snapshot")
    assert "inventory_snapshot" in rejection.problems[0].message
    with pytest.raises(ValueError, match="no ERP mapping"):
        read_erp_file(path, mappings, vendor="jijia")


# ------------------------------------------------------------------ workbook cells


def test_workbook_cells_may_be_numbers_datetimes_or_strings(mappings, tmp_path):
    rows = [
        [
            "平台单号",
            "系统单号",
            "MSKU",
            "数量",
            "发货时间",
            "签收时间",
            "真实物流运费",
            "采购成本",
        ],
        [
            "5700000000000000001",
            "SO1",
            "A-1",
            2,
            datetime(2026, 11, 5, 14, 3, 22),
            46335.5,
            12.5,
            7,
        ],
        [
            5700000001,
            "SO2",
            "A-2",
            "3",
            "2026/11/5 14:03",
            "0000-00-00 00:00:00",
            "¥1,234.50",
            None,
        ],
        [None, None, None, None, None, None, None, None],
    ]
    parsed = read_erp_file(_xlsx(tmp_path, rows), mappings)
    first, second = parsed.rows
    assert first["platform_order_id"] == "5700000000000000001"
    assert first["shipped_at"] == datetime(2026, 11, 5, 6, 3, 22, tzinfo=UTC)
    assert first["signed_for_at"] == datetime(2026, 11, 9, 4, 0, tzinfo=UTC)  # serial 46335.5
    assert (first["shipping_cost"], first["purchase_cost"]) == (Decimal("12.5"), Decimal(7))
    assert second["platform_order_id"] == "5700000001"
    assert second["quantity"] == 3
    assert second["shipped_at"] == datetime(2026, 11, 5, 6, 3, tzinfo=UTC)
    assert second["signed_for_at"] is None
    assert second["shipping_cost"] == Decimal("1234.50")
    assert [r["source_row"] for r in parsed.rows] == [2, 3]


def test_a_mapping_can_name_the_sheet_to_read(mappings, tmp_path):
    builtin = next(m for m in mappings if (m.vendor, m.kind) == ("lingxing", "inventory_snapshot"))
    text = (
        Path(builtin.source)
        .read_text("utf-8")
        .replace('version = "2026.1"', 'sheet = "库存"\nversion = "2026.2"')
    )
    extra = tmp_path / "mappings"
    extra.mkdir()
    (extra / "lingxing_inventory_v2.toml").write_text(text, "utf-8")
    only_custom = [m for m in load_mappings(extra) if m.version == "2026.2"]
    rows = [["日期", "仓库", "SKU", "可用量"], [datetime(2026, 11, 20), "深圳仓", "A-1", 9]]
    parsed = read_erp_file(_xlsx(tmp_path, rows, sheet="库存"), only_custom)
    assert parsed.sheet == "库存"
    assert parsed.rows[0]["snapshot_date"] == date(2026, 11, 20)
    assert parsed.rows[0]["in_transit"] == 0  # the mapping's default for a missing column
    elsewhere = _xlsx(tmp_path, rows, name="other.xlsx")
    assert "no sheet '库存'" in str(_rejection(elsewhere, only_custom))


def test_a_tab_separated_csv_is_read(mappings, tmp_path):
    path = _csv(tmp_path, "订单号\t包裹号\tSKU\t数量\r\n5700000000000000001\tXM1\tA-1\t1\r\n")
    assert read_erp_file(path, mappings).rows[0]["erp_order_no"] == "XM1"


def test_a_utf8_csv_without_bom_is_utf8(mappings, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes("订单号,包裹号,SKU,数量\r\n5700000000000000001,XM1,商品-1,1\r\n".encode())
    parsed = read_erp_file(path, mappings)
    assert (parsed.encoding, parsed.rows[0]["seller_sku"]) == ("utf-8", "商品-1")


def test_workbook_bytes_in_memory_match_the_file_hash(mappings, tmp_path):
    path = _xlsx(tmp_path, [ORDERS_HEADER.split(","), ["1", "XM1", "A-1", 1, None, None]])
    buffer = io.BytesIO(path.read_bytes())
    assert read_erp_file(path, mappings).sha256 == hashlib.sha256(buffer.getvalue()).hexdigest()


def test_dashes_and_signed_numbers_in_text_columns_are_not_formulas(mappings, tmp_path):
    """Only a cell a spreadsheet would run is refused: the ERPs' dash for "none" and plain
    signed numbers start with `-`/`+` but run nothing."""
    header = "订单号,包裹号,SKU,数量,物流方式,物流单号"
    path = _csv(tmp_path, f"{header}\r\n5700000000000000001,XM1,A-1,1,-,+86 138 0013\r\n")
    [row] = read_erp_file(path, mappings).rows
    assert (row["carrier"], row["tracking_number"]) == ("-", "+86 138 0013")


def test_a_utf16_csv_without_a_byte_order_mark_is_still_refused_as_wide_text(mappings, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes(f"{ORDERS_HEADER}\r\n5700000000000000001,XM1,A-1,1,,\r\n".encode("utf-16-le"))
    assert "UTF-16" in str(_rejection(path, mappings))


def test_every_sheet_with_the_exports_header_is_read_and_each_row_names_its_sheet(
    mappings, tmp_path
):
    workbook = openpyxl.Workbook()
    header = ["订单号", "包裹号", "SKU", "数量"]
    first, second = workbook.active, workbook.create_sheet("第2页")
    workbook.create_sheet("空")  # an empty sheet is no table
    first.append(header)
    for n in range(1, 4):
        first.append([f"570000000000000000{n}", f"XM{n}", "A-1", n])
    second.append(["SKU", "数量", "包裹号", "订单号"])  # the same export, columns reordered
    for n in range(4, 8):
        second.append(["A-2", n, f"XM{n}", f"570000000000000000{n}"])
    path = tmp_path / "orders.xlsx"
    workbook.save(path)
    parsed = read_erp_file(path, mappings)
    assert parsed.sheets == (first.title, "第2页")
    assert [(r["source_sheet"], r["source_row"], r["quantity"]) for r in parsed.rows] == [
        *((first.title, n + 1, n) for n in range(1, 4)),
        *(("第2页", n - 2, n) for n in range(4, 8)),
    ]
    assert {r["erp_order_no"]: r["seller_sku"] for r in parsed.rows}["XM7"] == "A-2"


def test_a_sheet_with_data_but_another_header_rejects_the_workbook_naming_it(mappings, tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["订单号", "包裹号", "SKU", "数量"])
    workbook.active.append(["5700000000000000001", "XM1", "A-1", 1])
    notes = workbook.create_sheet("汇总")
    notes.append(["合计", 1])
    path = tmp_path / "orders.xlsx"
    workbook.save(path)
    [problem] = _rejection(path, mappings).problems
    assert (problem.sheet, problem.row) == ("汇总", 1)
    assert "holds data but not the header of this export" in problem.message


def test_a_formula_without_a_saved_value_rejects_the_file_naming_sheet_row_and_column(
    mappings, tmp_path
):
    """openpyxl writes formulas without computing them, as many export tools do: read back,
    the cell would be empty, and the money in it NULL."""
    rows = [ORDERS_HEADER.split(","), ["5700000000000000001", "XM1", "A-1", 2, None, "=2*6.5"]]
    rejection = _rejection(_xlsx(tmp_path, rows, sheet="订单"), mappings)
    [problem] = rejection.problems
    assert (problem.sheet, problem.row, problem.column) == ("订单", 2, "物流费用 (shipping_cost)")
    assert "'=2*6.5' has no saved value" in problem.message
    assert "sheet '订单', row 2, column 物流费用 (shipping_cost)" in str(rejection)
