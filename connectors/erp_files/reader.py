"""Read one ERP export file into typed canonical rows, or reject it whole.

The steps: bytes (hashed, so a landed file can be traced to exactly what was dropped),
raw rows (`sources`), the header row to a mapping (`headers`), then every cell typed
(`values`). Problems are collected across the whole file and raised together; nothing
is returned half-parsed, because a partly loaded export would silently under-count costs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from connectors.erp_files.columns import CANONICAL_TABLES, TIME_ORDER, canonical_column
from connectors.erp_files.errors import MAX_REPORTED_PROBLEMS, ErpFileProblem, ErpFileRejected
from connectors.erp_files.headers import HeaderMatch, choose_mapping, match_header
from connectors.erp_files.mapping import FILE_NAME_DATE, ErpMapping, load_mappings
from connectors.erp_files.sources import RawTable, Row, read_tables
from connectors.erp_files.values import CellValueError, clean_text, parse_text, parse_value

SOURCE_ROW = "source_row"
SOURCE_SHEET = "source_sheet"
_FILE_NAME_DATE = re.compile(r"(?<!\d)(20\d{2})[-_.]?(\d{2})[-_.]?(\d{2})(?!\d)")


@dataclass(frozen=True)
class ParsedErpFile:
    """A whole export, typed. Each row has every canonical column of `kind` plus `source_row`.

    Rows also carry `source_sheet` (None for a CSV), so `source_row` points at one cell in a
    workbook read from several sheets.
    Amounts are `Decimal`, counts `int`, times aware UTC `datetime`, days `date`; a column
    the file lacks is None (or the mapping's default). `columns` maps canonical names to
    the headers as written; `ignored_headers` are the file's headers no column uses.
    """

    path: Path
    sha256: str
    vendor: str
    kind: str
    mapping_version: str
    mapping_source: str
    encoding: str
    sheet: str | None  # the first sheet read (None for a CSV)
    sheets: tuple[str, ...]  # every sheet read, in workbook order
    columns: dict[str, str]
    ignored_headers: tuple[str, ...]
    rows: list[dict[str, object]] = field(repr=False)


def read_erp_file(
    path: Path | str,
    mappings: Sequence[ErpMapping] | None = None,
    *,
    vendor: str | None = None,
    kind: str | None = None,
) -> ParsedErpFile:
    """Parse one `.xlsx` or `.csv` export; raises `ErpFileRejected` listing every problem.

    `mappings` defaults to the built-in ones (`load_mappings()`); `vendor` and `kind`
    narrow the mappings the header is matched against.
    """
    path = Path(path)
    data = path.read_bytes()
    if not data:
        raise _rejected(path, "the file is empty (0 bytes)")
    candidates = _candidates(load_mappings() if mappings is None else mappings, vendor, kind)
    tables = read_tables(path, data, [m.sheet for m in candidates if m.sheet])
    first = tables[0]
    if first.sheet is not None:
        candidates = _for_sheet(path, candidates, first.sheet)
    header_row, header = _header(path, first.rows)
    match = choose_mapping(header, candidates, str(path), header_row)
    problems = _Problems(str(path))
    rows = _typed_rows(path, match, header_row, len(header), first, problems)
    for table in tables[1:]:
        rows += _rows_of_another_sheet(path, match.mapping, first, table, problems)
    if problems.count:
        raise ErpFileRejected(str(path), problems.kept, problems.count)
    mapping = match.mapping
    return ParsedErpFile(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        vendor=mapping.vendor,
        kind=mapping.kind,
        mapping_version=mapping.version,
        mapping_source=mapping.source,
        encoding=first.encoding,
        sheet=first.sheet,
        sheets=tuple(table.sheet for table in tables if table.sheet is not None),
        columns={name: place.header for name, place in match.columns.items()},
        ignored_headers=match.ignored_headers,
        rows=rows,
    )


def _candidates(
    mappings: Sequence[ErpMapping], vendor: str | None, kind: str | None
) -> list[ErpMapping]:
    chosen = [
        m
        for m in mappings
        if (vendor is None or m.vendor == vendor) and (kind is None or m.kind == kind)
    ]
    if not chosen:
        raise ValueError(
            f"no ERP mapping for vendor={vendor!r} kind={kind!r} among {len(mappings)} mappings"
        )
    return chosen


def _for_sheet(path: Path, mappings: list[ErpMapping], sheet: str) -> list[ErpMapping]:
    """Mappings that read the workbook's chosen sheet; a mapping naming another does not."""
    chosen = [m for m in mappings if m.sheet in (None, sheet)]
    if not chosen:
        wanted = ", ".join(sorted({repr(m.sheet) for m in mappings}))
        raise _rejected(path, f"the workbook has no sheet {wanted} that the mappings read")
    return chosen


def _header(path: Path, rows: list[Row]) -> tuple[int, list[str]]:
    """The first non-blank row, as text; title rows above a header are not supported."""
    for number, cells in rows:
        if not _is_blank(cells):
            return number, [_header_text(c) for c in cells]
    raise _rejected(path, "no header row: every row of the file is empty")


# --------------------------------------------------------------------------- typing rows


class _Problems:
    """Every problem counted, the first `MAX_REPORTED_PROBLEMS` kept; `sheet` is the workbook
    sheet being read (None for a CSV), named in every problem found there."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.kept: list[ErpFileProblem] = []
        self.count = 0
        self.sheet: str | None = None

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.count += 1
        if len(self.kept) < MAX_REPORTED_PROBLEMS:
            self.kept.append(ErpFileProblem(self.file, row, column, message, self.sheet))


def _typed_rows(
    path: Path,
    match: HeaderMatch,
    header_row: int,
    width: int,
    table: RawTable,
    problems: _Problems,
) -> list[dict[str, object]]:
    problems.sheet = table.sheet
    for name, headers in match.duplicates.items():
        problems.add(
            header_row,
            f"{' / '.join(headers)} ({name})",
            f"{len(headers)} headers all map to {name}; keep one of them",
        )
    absent = _absent_column_values(path, match, problems)
    typed: list[dict[str, object]] = []
    # A formula without a saved value reads as empty, but its row is not blank: it is a problem.
    formula_rows = {row for row, _ in table.uncached_formulas}
    for number, cells in table.rows:
        if number <= header_row or (_is_blank(cells) and number not in formula_rows):
            continue
        _check_width(cells, width, number, problems)
        record = _typed_row(match, cells, number, table, problems)
        typed.append({**absent, **record, SOURCE_ROW: number, SOURCE_SHEET: table.sheet})
    return typed


def _rows_of_another_sheet(
    path: Path, mapping: ErpMapping, first: RawTable, table: RawTable, problems: _Problems
) -> list[dict[str, object]]:
    """A further sheet with data must carry the same export (its own header row, columns in
    any order); one that does not rejects the file, naming it, rather than being skipped."""
    header_row, header = _header(path, table.rows)
    match = match_header(header, mapping)
    if not match.matches:
        problems.sheet = table.sheet
        problems.add(
            header_row,
            None,
            f"sheet {table.sheet!r} holds data but not the header of this export "
            f"({mapping.label}, read from sheet {first.sheet!r}; missing: "
            f"{', '.join(match.missing_required)}); delete the sheet or give it the same "
            "header row, then drop the file again",
        )
        return []
    return _typed_rows(path, match, header_row, len(header), table, problems)


def _absent_column_values(path: Path, match: HeaderMatch, problems: _Problems) -> dict[str, object]:
    """Values of canonical columns the file has no header for: default, fallback or None."""
    mapping = match.mapping
    mapped = {c.name: c for c in mapping.columns}
    values: dict[str, object] = {}
    for canonical in CANONICAL_TABLES[mapping.kind]:
        if canonical.name in match.columns:
            continue
        column = mapped.get(canonical.name)
        value = None if column is None else column.default
        if column is not None and column.fallback == FILE_NAME_DATE:
            value = file_name_date(path)
            if value is None:
                problems.add(
                    None,
                    f"{column.aliases[0]} ({column.name})",
                    f"no {' / '.join(column.aliases)} column and no date (YYYYMMDD or "
                    f"YYYY-MM-DD) in the file name, so {column.name} is unknown",
                )
        values[canonical.name] = value
    return values


def _typed_row(
    match: HeaderMatch, cells: list[object], number: int, table: RawTable, problems: _Problems
) -> dict[str, object]:
    mapping = match.mapping
    record: dict[str, object] = {}
    for name, place in match.columns.items():
        column = mapping.column(name)
        raw = cells[place.position] if place.position < len(cells) else None
        formula = table.uncached_formulas.get((number, place.position))
        if formula is not None:
            problems.add(
                number,
                place.label,
                f"the formula {formula[:60]!r} has no saved value (the file was written by a "
                "program, not saved by Excel); open it in Excel or WPS and save it, or paste "
                "the values, then drop it again",
            )
            continue
        try:
            value = parse_value(raw, column.type, mapping.tz)
        except CellValueError as err:
            problems.add(number, place.label, str(err))
            continue
        if value is None:
            value = column.default
        if value is None and _must_have_value(mapping, name):
            problems.add(number, place.label, f"{name} is required but the cell is empty")
        _check_minimum(mapping.kind, name, value, number, place.label, problems)
        record[name] = value
    _check_time_order(match, record, number, problems)
    return record


def _check_minimum(
    kind: str, name: str, value: object, number: int, label: str, problems: _Problems
) -> None:
    """A count or amount below its column's `minimum` (no units shipped, a negative cost)."""
    column = canonical_column(kind, name)
    minimum = None if column is None else column.minimum
    if minimum is None or value is None or value >= minimum:  # type: ignore[operator]
        return
    problems.add(
        number,
        label,
        f"{name} is {value}, below its minimum of {minimum} (no units shipped, or a negative "
        "cost or count, is not a real value; a refund or correction is not an export line)",
    )


def _check_time_order(
    match: HeaderMatch, record: dict[str, object], number: int, problems: _Problems
) -> None:
    for earlier, later in TIME_ORDER.get(match.mapping.kind, ()):
        first, second = record.get(earlier), record.get(later)
        if first is None or second is None or second >= first:  # type: ignore[operator]
            continue
        problems.add(
            number,
            match.columns[later].label,
            f"{later} {_utc_text(second)} is before {earlier} {_utc_text(first)} "
            f"({match.columns[earlier].label}): a time cannot come before the one it follows",
        )


def _utc_text(moment: object) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC" if isinstance(moment, datetime) else str(moment)


def _must_have_value(mapping: ErpMapping, name: str) -> bool:
    canonical = next(c for c in CANONICAL_TABLES[mapping.kind] if c.name == name)
    return canonical.required or mapping.column(name).required


def _check_width(cells: list[object], width: int, number: int, problems: _Problems) -> None:
    """Values right of the last header usually mean a separator inside an unquoted value."""
    extra = [c for c in cells[width:] if not _is_blank([c])]
    if extra:
        problems.add(
            number,
            None,
            f"{len(extra)} value(s) right of the last header column (first: {extra[0]!r}); "
            "a comma inside an unquoted value shifts every column after it",
        )


def file_name_date(path: Path) -> date | None:
    """The date in a file name like `库存_20261120.csv` or `inventory-2026-11-20.xlsx`."""
    for match in _FILE_NAME_DATE.finditer(path.stem):
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            continue
    return None


def _header_text(cell: object) -> str:
    try:
        return parse_text(cell) or ""
    except CellValueError:  # a huge number as a header: no alias will match it anyway
        return str(cell)


def _is_blank(cells: Sequence[object]) -> bool:
    return all(c is None or (isinstance(c, str) and not clean_text(c)) for c in cells)


def _rejected(path: Path, message: str) -> ErpFileRejected:
    return ErpFileRejected(str(path), [ErpFileProblem(str(path), None, None, message)])
