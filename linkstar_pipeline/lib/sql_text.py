"""Identifiers and literals written into SQL text, where DuckDB and PostgreSQL take no
parameters (DDL, COPY, attached paths, row-security predicates). Same rules in both."""


def quote_identifier(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
