"""A header row read through a mapping: where each canonical column is, what is left over.

Headers are compared as `mapping.normalize_header` normalises them, so `MSKU`, ` m sku `
and a full-width `ＭＳＫＵ` are the same header.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from connectors.erp_files.errors import ErpFileProblem, ErpFileRejected
from connectors.erp_files.mapping import ErpMapping, normalize_header
from connectors.erp_files.values import clean_text


@dataclass(frozen=True)
class HeaderColumn:
    """Where a canonical column sits in the file: 0-based position and the header as written."""

    name: str
    position: int
    header: str

    @property
    def label(self) -> str:
        return f"{self.header} ({self.name})"


@dataclass(frozen=True)
class HeaderMatch:
    """How one mapping reads one header row."""

    mapping: ErpMapping
    columns: dict[str, HeaderColumn]
    ignored_headers: tuple[str, ...]
    missing_required: tuple[str, ...]  # canonical names the mapping requires but did not find
    duplicates: dict[str, tuple[str, ...]]  # canonical name -> the headers that all map to it

    @property
    def matches(self) -> bool:
        return not self.missing_required


def match_header(header: Sequence[str], mapping: ErpMapping) -> HeaderMatch:
    aliases = mapping.aliases
    found: dict[str, list[HeaderColumn]] = {}
    ignored: list[str] = []
    for position, text in enumerate(header):
        shown = clean_text(text)
        name = aliases.get(normalize_header(text))
        if name is None:
            if shown:
                ignored.append(shown)
            continue
        found.setdefault(name, []).append(HeaderColumn(name, position, shown))
    missing = tuple(c.name for c in mapping.columns if c.required and c.name not in found)
    return HeaderMatch(
        mapping=mapping,
        columns={name: places[0] for name, places in found.items()},
        ignored_headers=tuple(ignored),
        missing_required=missing,
        duplicates={
            name: tuple(p.header for p in places)
            for name, places in found.items()
            if len(places) > 1
        },
    )


def closest(matches: Sequence[HeaderMatch]) -> HeaderMatch:
    """The failed match to explain: fewest missing required columns, then most recognised."""
    return min(
        matches,
        key=lambda m: (len(m.missing_required), -len(m.columns), m.mapping.label),
    )


def choose_mapping(
    header: Sequence[str], mappings: Sequence[ErpMapping], file: str, header_row: int
) -> HeaderMatch:
    """The one mapping whose required headers are all present; anything else rejects the file.

    No match is explained through the closest mapping, one problem per missing header, so
    the seller sees exactly which column their export lacks. Two matches are never guessed
    between: the caller narrows by vendor or kind, or the mappings are made distinct.
    """
    matches = [match_header(header, m) for m in mappings]
    chosen = [m for m in matches if m.matches]
    if len(chosen) == 1:
        return chosen[0]
    if len(chosen) > 1:
        labels = " and ".join(m.mapping.label for m in chosen)
        raise ErpFileRejected(
            file,
            [
                ErpFileProblem(
                    file,
                    header_row,
                    None,
                    f"the header matches {len(chosen)} mappings: {labels}; pass vendor= or "
                    "kind= to choose, or make their required headers differ",
                )
            ],
        )
    if not matches:
        raise ValueError("no ERP mappings to read the file with")
    best = closest(matches)
    raise ErpFileRejected(
        file, [_missing(file, header_row, best, n) for n in best.missing_required]
    )


def _missing(file: str, header_row: int, match: HeaderMatch, name: str) -> ErpFileProblem:
    aliases = match.mapping.column(name).aliases
    return ErpFileProblem(
        file,
        header_row,
        f"{aliases[0]} ({name})",
        f"required column missing: no header {' / '.join(aliases)}; no mapping matches this "
        f"header row, the closest is {match.mapping.label}",
    )
