"""Words for a dbt test, shown as its asset check's description in the Dagster UI.

A generic test is described from its name, column and arguments ("fct_orders.order_id is
never null"); a singular test by the comment that opens its SQL file, so its reason is written
once, beside the query. An explicit `meta.description` or yml `description` wins over both.
"""

import re
from collections.abc import Callable, Mapping
from typing import Any

_RELATION = re.compile(r"""(ref|source)\(\s*['"]([^'"]+)['"](?:\s*,\s*['"]([^'"]+)['"])?""")
_OPENING_COMMENT = re.compile(r"^\s*\{#-?(.*?)-?#\}", re.DOTALL)


def relation_name(expression: str) -> str:
    """`{{ get_where_subquery(ref('fct_orders')) }}` → fct_orders; source('a', 'b') → a.b."""
    match = _RELATION.search(expression or "")
    if match is None:
        return expression
    kind, first, second = match.groups()
    return f"{first}.{second}" if kind == "source" and second else (second or first)


def _values(values: Any) -> str:
    return ", ".join(str(v) for v in values) if isinstance(values, list | tuple) else str(values)


def _column_rules(subject: str, kwargs: Mapping[str, Any]) -> str:
    """column_rules folds a model's per-column tests into one query; say each rule it holds."""
    rules = []
    if kwargs.get("not_null"):
        rules.append(f"{_values(kwargs['not_null'])} never null")
    if kwargs.get("unique"):
        rules.append(f"{_values(kwargs['unique'])} unique (no value twice)")
    for column, values in (kwargs.get("accepted_values") or {}).items():
        rules.append(f"{column} one of: {_values(values)}")
    for reference in kwargs.get("references") or []:
        target = relation_name(str(reference.get("to", "")))
        rules.append(f"every {reference.get('column')} exists in {target}.{reference.get('field')}")
    return f"{subject}: " + "; ".join(rules)


_GENERIC: dict[str, Callable[[str, Mapping[str, Any]], str]] = {
    "not_null": lambda subject, kw: f"{subject} is never null",
    "unique": lambda subject, kw: f"{subject} is unique: no value appears twice",
    "accepted_values": lambda subject, kw: f"{subject} is one of: {_values(kw.get('values'))}",
    "relationships": lambda subject, kw: (
        f"Every {subject} exists in {relation_name(kw.get('to', ''))}.{kw.get('field')}"
    ),
    "column_rules": _column_rules,
    "unique_combination_of_columns": lambda subject, kw: (
        f"{subject} has one row per ({_values(kw.get('combination_of_columns'))})"
    ),
}


def _generic_description(test: Mapping[str, Any]) -> str:
    metadata = test.get("test_metadata") or {}
    kwargs = metadata.get("kwargs") or {}
    model = relation_name(kwargs.get("model", ""))
    column = kwargs.get("column_name")
    subject = f"{model}.{column}" if column else model
    describe = _GENERIC.get(metadata.get("name", ""))
    if describe is not None:
        return describe(subject, kwargs)
    arguments = {k: v for k, v in kwargs.items() if k not in ("model", "column_name")}
    shown = ", ".join(f"{k}={_values(v)}" for k, v in arguments.items())
    return f"{subject} passes {metadata.get('name')}" + (f" ({shown})" if shown else "")


def _singular_description(test: Mapping[str, Any]) -> str:
    match = _OPENING_COMMENT.match(test.get("raw_code") or "")
    if match is None:
        return f"The query of dbt test {test['name']} returns no rows"
    return " ".join(match.group(1).split())


def describe_dbt_test(test: Mapping[str, Any]) -> str:
    """One sentence (or the test's own words) saying what must hold for the check to pass."""
    config = test.get("config") or {}
    explicit = (config.get("meta") or test.get("meta") or {}).get("description") or test.get(
        "description"
    )
    if explicit:
        return explicit
    if test.get("test_metadata"):
        sentence = _generic_description(test)
        if config.get("where"):
            sentence += f", for rows where {config['where']}"
    else:
        sentence = _singular_description(test)
    if str(config.get("severity", "error")).lower() == "warn":
        sentence += " (warns; does not fail the build)"
    return sentence
