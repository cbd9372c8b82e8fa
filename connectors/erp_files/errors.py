"""Typed errors of the ERP file reader: one rejected file, or one invalid mapping file.

A file is judged whole: the reader collects every problem it finds (up to a cap) before
raising, so a seller fixes the export once instead of once per re-run.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Enough to show the pattern of a systematic mistake without burying the report.
MAX_REPORTED_PROBLEMS = 50
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """`text` with control characters escaped (`\\n`, `\\x1b`...): a file name with a
    newline in it must not forge lines in a log or a report."""
    return "".join(
        _ESCAPES.get(char, f"\\x{ord(char):02x}") if unicodedata.category(char) == "Cc" else char
        for char in text
    )


@dataclass(frozen=True)
class ErpFileProblem:
    """One thing wrong with an export file.

    `row` is the row number a spreadsheet user sees (the header is row 1); `column` is the
    header text as written in the file with the canonical name in brackets, e.g.
    `实际运费 (shipping_cost)`. Either is None where the problem is not about one cell.
    """

    file: str
    row: int | None
    column: str | None
    message: str
    sheet: str | None = None  # the workbook sheet, where the file is a workbook

    def __str__(self) -> str:
        where = [printable(self.file)]
        if self.sheet is not None:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


class ErpFileRejected(Exception):
    """A file the reader refused as a whole; nothing of it should be loaded.

    `problems` holds at most `MAX_REPORTED_PROBLEMS` entries; `total_problems` counts all.
    """

    def __init__(
        self, file: str, problems: Sequence[ErpFileProblem], total_problems: int | None = None
    ) -> None:
        self.file = file
        self.problems = list(problems[:MAX_REPORTED_PROBLEMS])
        self.total_problems = len(problems) if total_problems is None else total_problems
        super().__init__(self._report())

    def _report(self) -> str:
        count = self.total_problems
        shown = printable(self.file)
        lines = [f"ERP export {shown} rejected: {count} problem{'s' if count != 1 else ''}"]
        lines += [f"  - {_without_file(problem)}" for problem in self.problems]
        hidden = count - len(self.problems)
        if hidden > 0:
            lines.append(f"  ... and {hidden} more (first {len(self.problems)} shown)")
        lines.append(
            "  Fix the export (or its mapping file) and drop it again; nothing was loaded."
        )
        return "\n".join(lines)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.file, self.problems, self.total_problems))


class ErpMappingError(Exception):
    """A mapping file that cannot be used: bad TOML, a missing or unknown key, a bad value."""

    def __init__(self, mapping_file: str, key: str | None, message: str) -> None:
        self.mapping_file = mapping_file
        self.key = key
        self.detail = message
        where = f"{mapping_file}, key {key}" if key else mapping_file
        super().__init__(f"ERP mapping {where}: {message}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.mapping_file, self.key, self.detail))


def _without_file(problem: ErpFileProblem) -> str:
    """The report names the file once in its first line; each problem names only its place."""
    text = str(problem)
    prefix = f"{printable(problem.file)}, "
    if text.startswith(prefix):
        return text[len(prefix) :]
    return text.removeprefix(f"{printable(problem.file)}: ")
