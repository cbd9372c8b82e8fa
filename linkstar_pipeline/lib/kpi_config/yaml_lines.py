"""YAML that remembers where each value was written, so an error can name `file:line`.

PyYAML's safe loader builds plain dicts and lists and forgets the source positions; these
subclasses keep the line of every mapping, sequence and key (1-based, as editors show them).
They also keep every key written twice in one mapping: YAML would silently keep the last
value (a second `kpi_sets:` would drop every set above it), so `duplicate_keys` lists them
for the loader to report. A date that is not a real day stays text for the loader to report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class LineMap(dict):
    """A YAML mapping; `line` is where it starts, `key_lines[key]` where each key is written."""

    line: int = 0
    key_lines: dict[Any, int]
    # (key, line of the repeat, line where it was first written), in file order
    repeated_keys: list[tuple[Any, int, int]]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A YAML sequence; `line` is where it starts, `item_lines[i]` where each item starts."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


# libyaml's parser when PyYAML was built with it (about ten times faster on the 100-line
# targets file); the constructors below are the same Python code either way.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):
    def construct_mapping(self, node, deep=False):
        mapping = LineMap(super().construct_mapping(node, deep=True))
        mapping.line = node.start_mark.line + 1
        mapping.key_lines, mapping.repeated_keys = {}, []
        for key_node, _ in node.value:
            key, line = self.construct_object(key_node, deep=True), key_node.start_mark.line + 1
            if key in mapping.key_lines:
                mapping.repeated_keys.append((key, line, mapping.key_lines[key]))
            else:
                mapping.key_lines[key] = line
        return mapping

    def construct_sequence(self, node, deep=False):
        sequence = LineList(super().construct_sequence(node, deep=True))
        sequence.line = node.start_mark.line + 1
        sequence.item_lines = [item.start_mark.line + 1 for item in node.value]
        return sequence


def _mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineMap:
    return loader.construct_mapping(node)


def _sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    return loader.construct_sequence(node)


def _timestamp(loader: _LineLoader, node: yaml.ScalarNode) -> Any:
    """A date that is no day of the calendar (`2026-02-30`) stays text, so the loader reports
    it as `file:line (key): must be a day`; PyYAML alone raises a bare ValueError."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def load_yaml_with_lines(path: Path) -> Any:
    """The document of `path` with LineMap/LineList containers; raises yaml.YAMLError."""
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_LineLoader)


@dataclass(frozen=True)
class DuplicateKey:
    """A key written twice in one mapping; `path` names it as the loader's problems do
    (`kpi_sets[2].kpis[0].weight`)."""

    path: str
    line: int
    first_line: int


def duplicate_keys(document: Any, path: str = "") -> list[DuplicateKey]:
    """Every key written more than once in any mapping of `document`, in file order."""
    found: list[DuplicateKey] = []
    if isinstance(document, LineMap):
        for key, line, first_line in document.repeated_keys:
            found.append(DuplicateKey(_join(path, key), line, first_line))
        for key, value in document.items():
            found.extend(duplicate_keys(value, _join(path, key)))
    elif isinstance(document, LineList):
        for index, item in enumerate(document):
            found.extend(duplicate_keys(item, f"{path}[{index}]"))
    return sorted(found, key=lambda duplicate: duplicate.line)


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)
