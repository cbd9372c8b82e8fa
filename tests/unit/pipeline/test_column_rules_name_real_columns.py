"""The dbt project keeps its per-column rules in one `column_rules` test per model (one node,
one query; see docs/architecture.md). Two slips a build would only show minutes in: a rule
naming a column its model does not document (a renamed column left behind), and a per-column
generic test written the old way (a node per column and rule again)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

PROJECT = Path(__file__).resolve().parents[3] / "dbt_project"
YML_FILES = sorted([*PROJECT.glob("models/**/*.yml"), *PROJECT.glob("seeds/*.yml")])
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _nodes(path: Path) -> list[dict]:
    data = yaml.load(path.read_text(), Loader=_LOADER) or {}
    return [*(data.get("models") or []), *(data.get("seeds") or [])]


def _named_columns(arguments: dict) -> list[str]:
    return [
        *arguments.get("not_null", []),
        *arguments.get("unique", []),
        *(arguments.get("accepted_values") or {}),
        *(reference["column"] for reference in arguments.get("references", [])),
    ]


def test_the_project_has_models_with_column_rules():
    tests = [t for path in YML_FILES for node in _nodes(path) for t in node.get("data_tests") or []]
    assert sum(1 for test in tests if "column_rules" in test) > 100


@pytest.mark.parametrize("path", YML_FILES, ids=lambda p: str(p.relative_to(PROJECT)))
def test_every_rule_names_a_documented_column_and_no_column_has_its_own_test(path):
    problems = []
    for node in _nodes(path):
        columns = {column["name"] for column in node.get("columns") or []}
        for test in node.get("data_tests") or []:
            if isinstance(test, dict) and "column_rules" in test:
                arguments = test["column_rules"].get("arguments") or {}
                problems += [
                    f"{node['name']}: column_rules names {name}, not a column of the model"
                    for name in _named_columns(arguments)
                    if name not in columns
                ]
        for column in node.get("columns") or []:
            problems += [
                f"{node['name']}.{column['name']}: per-column test {test!r}; add it to the "
                "model's column_rules instead"
                for test in column.get("data_tests") or []
            ]
    assert problems == []
