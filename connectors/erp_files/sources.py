"""Raw rows out of an export file: `.csv` through the csv module, `.xlsx` through openpyxl.

Both give the same thing, a list of (row number, cells) with the row number a spreadsheet
user would see, so every later message can point at the row in the seller's own tool.
CSV cells are strings; workbook cells may already be numbers, datetimes or strings.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook

from connectors.erp_files.encoding import UndecodableText, decode_text
from connectors.erp_files.errors import ErpFileProblem, ErpFileRejected

XLSX = "xlsx"
CSV_SUFFIX = ".csv"
XLSX_SUFFIX = ".xlsx"
SUPPORTED_SUFFIXES = (CSV_SUFFIX, XLSX_SUFFIX)

_ZIP_SIGNATURE = b"PK\x03\x04"
_OLE2_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")  # legacy .xls (and other Office 97 files)
# openpyxl reports a broken workbook through many exception types, from zip to XML errors.
_BROKEN_WORKBOOK_ERRORS = (
    zipfile.BadZipFile,
    InvalidFileException,
    KeyError,
    ValueError,
    TypeError,
    EOFError,
    OSError,
    SyntaxError,  # xml.etree's ParseError is a SyntaxError
)

Row = tuple[int, list[object]]


@dataclass(frozen=True)
class RawTable:
    """`encoding` is the CSV's text encoding, or `xlsx` for a workbook (then `sheet` is set).

    `uncached_formulas` maps (row number, 0-based column) of a workbook's formula cells that
    hold no computed value to the formula: openpyxl reads those as empty, and LinkStar does
    not calculate formulas, so a money cell there would silently become NULL.
    """

    encoding: str
    sheet: str | None
    rows: list[Row]
    uncached_formulas: dict[tuple[int, int], str] = field(default_factory=dict)


def read_tables(path: Path, data: bytes, preferred_sheets: Sequence[str] = ()) -> list[RawTable]:
    """The tables of a `.csv` (one) or `.xlsx` file; other files are rejected by their suffix.

    A workbook gives the sheet a mapping names, else every sheet holding any value, in
    workbook order (an export split over sheets, or one sheet per shop): the reader loads
    every sheet with the export's header and rejects the file for a sheet without it.
    """
    suffix = path.suffix.lower()
    if suffix == CSV_SUFFIX:
        return [_read_csv(path, data)]
    if suffix == XLSX_SUFFIX:
        return _read_xlsx(path, data, preferred_sheets)
    hint = " (legacy Excel 97: save it as .xlsx)" if suffix == ".xls" else ""
    raise _rejected(
        path,
        f"unsupported file type {suffix or '(no suffix)'!r}{hint}; "
        f"ERP exports are read from {' or '.join(SUPPORTED_SUFFIXES)}",
    )


def _read_csv(path: Path, data: bytes) -> RawTable:
    try:
        text, encoding = decode_text(data)
    except UndecodableText as err:
        raise _rejected(path, str(err)) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        rows: list[Row] = [(number, list(cells)) for number, cells in enumerate(reader, 1)]
    except csv.Error as err:
        raise _rejected(path, f"not valid CSV near line {reader.line_num}: {err}") from None
    return RawTable(encoding, None, rows)


def _delimiter(text: str) -> str:
    """Comma, unless the first line is clearly tab-separated (some ERPs' "CSV")."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    return "\t" if "\t" in first_line and "," not in first_line else ","


def _read_xlsx(path: Path, data: bytes, preferred_sheets: Sequence[str]) -> list[RawTable]:
    _check_workbook_signature(path, data)
    values = _open_workbook(path, data, data_only=True)
    formulas = _open_workbook(path, data, data_only=False)
    try:
        if not values.sheetnames:
            raise _rejected(path, "the workbook has no sheets")
        preferred = [s for s in values.sheetnames if s in preferred_sheets][:1]
        tables = [
            _sheet_table(path, values[name], formulas[name])
            for name in preferred or values.sheetnames
        ]
        with_values = [
            t for t in tables if any(_has_value(c) for _, cells in t.rows for c in cells)
        ]
        return with_values or tables[:1]
    finally:
        values.close()
        formulas.close()


def _open_workbook(path: Path, data: bytes, *, data_only: bool) -> Workbook:
    """`data_only`: cells as last computed by Excel; otherwise formulas as written."""
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except _BROKEN_WORKBOOK_ERRORS as err:
        raise _rejected(
            path, f"not a readable .xlsx workbook ({type(err).__name__}: {err})"
        ) from None


def _sheet_table(path: Path, sheet: Any, formula_sheet: Any) -> RawTable:
    try:
        rows = _sheet_rows(sheet)
        uncached = {
            (number, position): written
            for (number, cells), (_, written_cells) in zip(
                rows, _sheet_rows(formula_sheet), strict=False
            )
            for position, (value, written) in enumerate(zip(cells, written_cells, strict=False))
            if value is None and isinstance(written, str) and written.startswith("=")
        }
    except _BROKEN_WORKBOOK_ERRORS as err:
        raise _rejected(
            path, f"sheet {sheet.title!r} is damaged ({type(err).__name__}: {err})"
        ) from None
    return RawTable(XLSX, sheet.title, rows, uncached)


def _sheet_rows(sheet: Any) -> list[Row]:
    # Exports often carry a wrong <dimension>; without it openpyxl reads what is there.
    sheet.reset_dimensions()
    return [
        (number, list(cells)) for number, cells in enumerate(sheet.iter_rows(values_only=True), 1)
    ]


def _has_value(cell: object) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def _check_workbook_signature(path: Path, data: bytes) -> None:
    """A clearer message than openpyxl's for the two usual mistakes: CSV or .xls renamed."""
    if data.startswith(_ZIP_SIGNATURE):
        return
    if data.startswith(_OLE2_SIGNATURE):
        raise _rejected(path, "this is a legacy Excel 97 (.xls) file named .xlsx; save it as .xlsx")
    raise _rejected(
        path,
        "not an .xlsx workbook (an .xlsx is a zip file and this one does not start like one); "
        "is it a CSV or text file renamed .xlsx?",
    )


def _rejected(path: Path, message: str) -> ErpFileRejected:
    return ErpFileRejected(str(path), [ErpFileProblem(str(path), None, None, message)])
