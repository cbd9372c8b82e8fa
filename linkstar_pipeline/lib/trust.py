"""What the reconciliation and freshness marts say, read back for checks and the CLI.

The comparisons themselves are SQL (marts.recon_daily, marts.data_freshness), with their
tolerances in dbt seeds; this module only reads their verdicts from the warehouse, under the
warehouse lock, read-only.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from linkstar_pipeline.lib.paths import LinkstarPaths
from linkstar_pipeline.lib.warehouse_lock import warehouse_lock

SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
RECON_CHECKS_SEED = SEEDS_DIR / "recon_checks.csv"
OFF_ROWS_SHOWN = 20


@dataclass(frozen=True)
class ReconCheck:
    """One row of the recon_checks seed."""

    name: str
    compares: str
    tolerance: str
    unit: str
    severity: str
    what_to_do: str

    def description(self) -> str:
        return (
            f"Compares {self.compares}; ok within {self.tolerance} {self.unit}, else "
            f"{self.severity} (never blocks the publish). {self.what_to_do} "
            "Rows: marts.recon_daily where check_name = "
            f"'{self.name}'. Tolerance: dbt_project/seeds/recon_checks.csv."
        )


def recon_checks(seed: Path = RECON_CHECKS_SEED) -> list[ReconCheck]:
    with seed.open(encoding="utf-8", newline="") as handle:
        return [
            ReconCheck(
                row["check_name"],
                row["compares"],
                row["tolerance"],
                row["tolerance_unit"],
                row["severity"],
                row["what_to_do"],
            )
            for row in csv.DictReader(handle)
        ]


@contextmanager
def _warehouse(paths: LinkstarPaths) -> Iterator[duckdb.DuckDBPyConnection]:
    with warehouse_lock(paths), duckdb.connect(str(paths.warehouse), read_only=True) as connection:
        yield connection


@dataclass(frozen=True)
class Verdict:
    """A check's verdict over its rows: how many are off, and the first of them."""

    rows: int
    off: int
    worst_status: str
    examples: list[dict]


def _verdict(connection, sql: str, params: list) -> Verdict:
    cursor = connection.execute(sql, params)
    names = [column[0] for column in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    off = [row for row in rows if row["status"] != "ok"]
    worst = "error" if any(r["status"] == "error" for r in off) else ("warn" if off else "ok")
    examples = [{k: str(v) if v is not None else None for k, v in row.items()} for row in off]
    return Verdict(len(rows), len(off), worst, examples[:OFF_ROWS_SHOWN])


def recon_verdict(paths: LinkstarPaths, check_name: str) -> Verdict:
    with _warehouse(paths) as connection:
        return _verdict(
            connection,
            """select shop_id, local_date, left_value, right_value, difference, status, reason
               from marts.recon_daily where check_name = ?
               order by status <> 'ok' desc, local_date desc, shop_id""",
            [check_name],
        )


def freshness_verdict(paths: LinkstarPaths) -> Verdict:
    with _warehouse(paths) as connection:
        return _verdict(
            connection,
            """select source, shop_id, newest_event_at_utc, last_success_at_utc, age_hours,
                      status, reason
               from marts.data_freshness
               order by status = 'error' desc, status = 'warn' desc, source, shop_id""",
            [],
        )


def trust_line(paths: LinkstarPaths) -> str:
    """One line: how many reconciliation checks and source freshness rows are off."""
    with _warehouse(paths) as connection:
        recon = connection.execute(
            """select check_name, count(*) filter (where status <> 'ok'),
                      max(case status when 'error' then 2 when 'warn' then 1 else 0 end)
               from marts.recon_daily group by check_name order by check_name"""
        ).fetchall()
        stale = connection.execute(
            """select source, count(*) from marts.data_freshness where status <> 'ok'
               group by source order by source"""
        ).fetchall()
    off = [f"{name} ({count} shop-days)" for name, count, _ in recon if count]
    parts = [
        f"{len(recon) - len(off)} of {len(recon)} reconciliation checks ok"
        + (f"; off: {', '.join(off)}" if off else ""),
        "every source fresh"
        if not stale
        else "stale: " + ", ".join(f"{source} ({count} shops)" for source, count in stale),
    ]
    return "Trust: " + "; ".join(parts) + " (marts.recon_daily, marts.data_freshness)."
