"""Mapping files: which vendor headers mean which canonical column, validated on load.

A mapping file (TOML) is the contract for one vendor's export of one kind in one layout
version. The built-in ones ship in `mappings/`; a seller adds their own vendor or a newer
layout by dropping files in a directory of their choice. Everything a reader relies on is
checked here, so a bad mapping fails when it is loaded, naming its file and key, rather
than later as a confusing rejection of a good export.

    vendor = "dianxiaomi"
    kind = "order_fulfilment"            # a key of columns.CANONICAL_TABLES
    version = "2026.1"
    time_zone = "Asia/Shanghai"          # clock of naive times; optional, Beijing by default
    sheet = "订单"                        # optional: the workbook sheet to read

    [columns.quantity]
    aliases = ["数量", "商品数量"]         # headers as vendors write them
    type = "integer"                     # must equal the canonical type
    required = true                      # the header must be present
    default = 0                          # optional: value when the column or cell is empty
    fallback = "file_name_date"          # optional, dates only: the date in the file name
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from connectors.erp_files.columns import CANONICAL_TABLES, COLUMN_TYPES, DATE, canonical_column
from connectors.erp_files.errors import ErpMappingError
from connectors.erp_files.values import BEIJING, CellValueError, clean_text, parse_value

MAPPING_SUFFIX = ".toml"
# A date column absent from the export is read from the file name (`库存_20261120.csv`).
FILE_NAME_DATE = "file_name_date"
FALLBACKS = (FILE_NAME_DATE,)

_TOP_KEYS = {"vendor", "kind", "version", "time_zone", "sheet", "description", "columns"}
_COLUMN_KEYS = {"aliases", "type", "required", "default", "fallback", "note"}


def normalize_header(text: str) -> str:
    """How headers and aliases are compared: NFKC, without any whitespace, case-folded.

    Excel and WPS re-saves add spaces (`数 量`), full-width spaces and full-width brackets;
    none of them makes a different column.
    """
    return "".join(unicodedata.normalize("NFKC", clean_text(text)).split()).casefold()


@dataclass(frozen=True)
class MappedColumn:
    """One canonical column as a mapping finds it; `default` is already typed."""

    name: str
    type: str
    required: bool
    aliases: tuple[str, ...]
    default: object = None
    fallback: str | None = None


@dataclass(frozen=True)
class ErpMapping:
    vendor: str
    kind: str
    version: str
    columns: tuple[MappedColumn, ...]
    source: str
    time_zone: str = "Asia/Shanghai"
    sheet: str | None = None

    @property
    def label(self) -> str:
        return f"{self.vendor} {self.kind} v{self.version} ({Path(self.source).name})"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def column(self, name: str) -> MappedColumn:
        return next(c for c in self.columns if c.name == name)

    @cached_property
    def aliases(self) -> dict[str, str]:
        """Normalised alias -> canonical column name."""
        return {normalize_header(a): c.name for c in self.columns for a in c.aliases}


# ------------------------------------------------------------------------------ loading


def builtin_mapping_files() -> list[Traversable]:
    """The mapping files shipped with the package, found the way package data is found."""
    folder = resources.files("connectors.erp_files").joinpath("mappings")
    return sorted(
        (f for f in folder.iterdir() if f.name.endswith(MAPPING_SUFFIX)), key=lambda f: f.name
    )


def load_mappings(extra_dir: Path | None = None) -> list[ErpMapping]:
    """The built-in mappings plus every `*.toml` in `extra_dir` (a seller's own versions).

    Two files declaring the same vendor, kind and version are an error: which one wins
    would otherwise depend on file names.
    """
    sources: list[Traversable | Path] = list(builtin_mapping_files())
    if extra_dir is not None:
        folder = Path(extra_dir)
        if not folder.is_dir():
            raise ErpMappingError(str(folder), None, "the extra mapping directory does not exist")
        sources += sorted(folder.glob(f"*{MAPPING_SUFFIX}"))
    mappings = [load_mapping_file(source) for source in sources]
    _check_unique_versions(mappings)
    return mappings


def load_mapping_file(path: Traversable | Path) -> ErpMapping:
    source = str(path)
    try:
        document = tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as err:
        raise ErpMappingError(source, None, f"not UTF-8 text ({err})") from None
    except tomllib.TOMLDecodeError as err:
        raise ErpMappingError(source, None, f"TOML syntax error: {err}") from None
    return mapping_from_document(document, source)


def mapping_from_document(document: dict[str, Any], source: str) -> ErpMapping:
    """An `ErpMapping` from parsed TOML; every problem names `source` and the key."""
    _no_unknown_keys(document, _TOP_KEYS, source, "")
    vendor = _string(document, "vendor", source)
    kind = _string(document, "kind", source)
    if kind not in CANONICAL_TABLES:
        raise ErpMappingError(
            source, "kind", f"unknown kind {kind!r}; one of {', '.join(CANONICAL_TABLES)}"
        )
    version = _string(document, "version", source)
    time_zone = _time_zone(document, source)
    sheet = _string(document, "sheet", source) if "sheet" in document else None
    if "description" in document:
        _string(document, "description", source)
    columns_table = document.get("columns")
    if not isinstance(columns_table, dict) or not columns_table:
        raise ErpMappingError(source, "columns", "missing: add a [columns.<name>] table per column")
    columns = tuple(
        _column(kind, name, spec, source, ZoneInfo(time_zone))
        for name, spec in columns_table.items()
    )
    _check_required_columns(kind, columns, source)
    _check_unique_aliases(columns, source)
    return ErpMapping(vendor, kind, version, columns, source, time_zone, sheet)


def _column(kind: str, name: str, spec: object, source: str, tz: ZoneInfo) -> MappedColumn:
    key = f"columns.{name}"
    canonical = canonical_column(kind, name)
    if canonical is None:
        known = ", ".join(c.name for c in CANONICAL_TABLES[kind])
        raise ErpMappingError(source, key, f"{kind} has no column {name!r} (columns: {known})")
    if not isinstance(spec, dict):
        raise ErpMappingError(source, key, "must be a table with aliases, type and required")
    _no_unknown_keys(spec, _COLUMN_KEYS, source, f"{key}.")
    column_type = _string(spec, "type", source, key)
    if column_type not in COLUMN_TYPES:
        raise ErpMappingError(
            source, f"{key}.type", f"unknown type {column_type!r}; one of {', '.join(COLUMN_TYPES)}"
        )
    if column_type != canonical.type:
        raise ErpMappingError(
            source,
            f"{key}.type",
            f"{column_type!r} differs from the canonical type {canonical.type!r} of {kind}.{name}",
        )
    required = spec.get("required")
    if not isinstance(required, bool):
        raise ErpMappingError(source, f"{key}.required", "missing or not true/false")
    return MappedColumn(
        name=name,
        type=column_type,
        required=required,
        aliases=_aliases(spec, source, key),
        default=_default(spec, column_type, source, key, tz),
        fallback=_fallback(spec, column_type, source, key),
    )


def _aliases(spec: dict[str, Any], source: str, key: str) -> tuple[str, ...]:
    aliases = spec.get("aliases")
    if (
        not isinstance(aliases, list)
        or not aliases
        or not all(isinstance(a, str) and normalize_header(a) for a in aliases)
    ):
        raise ErpMappingError(source, f"{key}.aliases", "must be a non-empty list of header texts")
    return tuple(clean_text(a) for a in aliases)


def _default(spec: dict[str, Any], column_type: str, source: str, key: str, tz: ZoneInfo) -> object:
    if "default" not in spec:
        return None
    raw = spec["default"]
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise ErpMappingError(source, f"{key}.default", f"{raw!r} is not a {column_type} value")
    try:
        value = parse_value(str(raw) if isinstance(raw, float) else raw, column_type, tz)
    except CellValueError as err:
        raise ErpMappingError(source, f"{key}.default", f"not a {column_type}: {err}") from None
    if value is None:
        raise ErpMappingError(source, f"{key}.default", "empty; leave the key out instead")
    return value


def _fallback(spec: dict[str, Any], column_type: str, source: str, key: str) -> str | None:
    if "fallback" not in spec:
        return None
    fallback = spec["fallback"]
    if fallback not in FALLBACKS:
        raise ErpMappingError(
            source, f"{key}.fallback", f"unknown fallback {fallback!r}; one of {FALLBACKS}"
        )
    if column_type != DATE:
        raise ErpMappingError(source, f"{key}.fallback", f"{fallback} is for date columns only")
    return fallback


def _check_required_columns(kind: str, columns: tuple[MappedColumn, ...], source: str) -> None:
    """A canonical required column needs a required header, a default or a fallback."""
    by_name = {c.name: c for c in columns}
    for canonical in CANONICAL_TABLES[kind]:
        if not canonical.required:
            continue
        column = by_name.get(canonical.name)
        key = f"columns.{canonical.name}"
        if column is None:
            raise ErpMappingError(source, key, f"missing: {kind} requires {canonical.name}")
        if not (column.required or column.default is not None or column.fallback):
            raise ErpMappingError(
                source,
                f"{key}.required",
                f"{kind} requires {canonical.name}: set required = true, or give a default "
                "or a fallback",
            )


def _check_unique_aliases(columns: tuple[MappedColumn, ...], source: str) -> None:
    owner: dict[str, str] = {}
    for column in columns:
        for alias in column.aliases:
            normal = normalize_header(alias)
            if normal in owner:
                raise ErpMappingError(
                    source,
                    f"columns.{column.name}.aliases",
                    f"alias {alias!r} is also an alias of {owner[normal]}; a header must mean "
                    "one column",
                )
            owner[normal] = column.name


def _check_unique_versions(mappings: Iterable[ErpMapping]) -> None:
    seen: dict[tuple[str, str, str], ErpMapping] = {}
    for mapping in mappings:
        identity = (mapping.vendor, mapping.kind, mapping.version)
        if identity in seen:
            raise ErpMappingError(
                mapping.source,
                "version",
                f"{mapping.vendor} {mapping.kind} v{mapping.version} is already defined by "
                f"{seen[identity].source}; give the newer layout a new version",
            )
        seen[identity] = mapping


def _no_unknown_keys(table: dict[str, Any], allowed: set[str], source: str, prefix: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ErpMappingError(
            source,
            prefix + unknown[0],
            f"unknown key (allowed: {', '.join(sorted(allowed))})",
        )


def _string(table: dict[str, Any], key: str, source: str, prefix: str = "") -> str:
    value = table.get(key)
    full_key = f"{prefix}.{key}" if prefix else key
    if value is None:
        raise ErpMappingError(source, full_key, "missing")
    if not isinstance(value, str) or not value.strip():
        raise ErpMappingError(source, full_key, f"must be a non-empty string, got {value!r}")
    return value.strip()


def _time_zone(document: dict[str, Any], source: str) -> str:
    if "time_zone" not in document:
        return BEIJING.key
    name = _string(document, "time_zone", source)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ErpMappingError(
            source, "time_zone", f"unknown time zone {name!r} (an IANA name like Asia/Shanghai)"
        ) from None
    return name
