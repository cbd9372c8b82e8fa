"""What the reconciliation and freshness marts say, read back for checks and the CLI.

The comparisons themselves are SQL (marts.recon_daily, marts.data_freshness), with their
tolerances in dbt seeds; this module only reads their verdicts from the warehouse, under the
warehouse lock, read-only.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from linkstar_pipeline.lib.alerts import Alert
from linkstar_pipeline.lib.paths import LinkstarPaths
from linkstar_pipeline.lib.warehouse_lock import read_only_warehouse

SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
RECON_CHECKS_SEED = SEEDS_DIR / "recon_checks.csv"
OFF_ROWS_SHOWN = 20
_UNIT_WORDS = {"amount": "in the shop's currency"}
UNUSUAL_ROWS_SHOWN = 5


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
        unit = _UNIT_WORDS.get(self.unit, self.unit)
        return (
            f"Compares {self.compares}; ok within {self.tolerance} {unit}, else "
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


_RECON_ROWS = """
    select shop_id, local_date, left_value, right_value, difference, status, reason
    from marts.recon_daily where check_name = ?
    order by status = 'error' desc, status = 'warn' desc, local_date desc, shop_id"""
_FRESHNESS_ROWS = """
    select source, shop_id, newest_event_at_utc, last_success_at_utc, age_hours, status, reason
    from marts.data_freshness
    order by status = 'error' desc, status = 'warn' desc, source, shop_id"""


_OUT_OF_RANGE = "status in ('above_range', 'below_range')"
_ANOMALY_ROWS = f"""
    select shop_id, local_date, metric, metric_value, baseline_median, baseline_mad, robust_z,
           'warn' as status
    from marts.anomalies_daily where {_OUT_OF_RANGE}
    order by abs(robust_z) desc, local_date desc, shop_id, metric"""


def anomaly_verdict(paths: LinkstarPaths) -> Verdict:
    """Shop KPIs beyond their robust z-score band (every row returned is off)."""
    with read_only_warehouse(paths) as connection:
        return _verdict(connection, _ANOMALY_ROWS, [])


def recon_verdicts(paths: LinkstarPaths, check_names: list[str]) -> dict[str, Verdict]:
    """Each named check's verdict, read on one connection under one hold of the lock."""
    with read_only_warehouse(paths) as connection:
        return _recon_verdicts(connection, check_names)


def _recon_verdicts(connection, check_names: list[str]) -> dict[str, Verdict]:
    return {name: _verdict(connection, _RECON_ROWS, [name]) for name in check_names}


def freshness_verdict(paths: LinkstarPaths) -> Verdict:
    with read_only_warehouse(paths) as connection:
        return _verdict(connection, _FRESHNESS_ROWS, [])


def trust_line(paths: LinkstarPaths) -> str:
    """One line: how many reconciliation checks and source freshness rows are off, and how
    many shop KPI values lie outside their usual range."""
    with read_only_warehouse(paths) as connection:
        recon = connection.execute(
            """select check_name, count(*) filter (where status <> 'ok')
               from marts.recon_daily group by check_name order by check_name"""
        ).fetchall()
        stale = connection.execute(
            """select source, count(*) from marts.data_freshness where status <> 'ok'
               group by source order by source"""
        ).fetchall()
        (unusual,) = connection.execute(
            f"select count(*) from marts.anomalies_daily where {_OUT_OF_RANGE}"
        ).fetchone()
    off = [f"{name} ({count} shop-days)" for name, count in recon if count]
    parts = [
        f"{len(recon) - len(off)} of {len(recon)} reconciliation checks ok"
        + (f"; off: {', '.join(off)}" if off else ""),
        "every source fresh"
        if not stale
        else "stale: " + ", ".join(f"{source} ({count} shops)" for source, count in stale),
        f"{unusual} shop KPI values outside their usual range"
        if unusual
        else "every shop KPI within its usual range",
    ]
    return (
        "Trust: "
        + "; ".join(parts)
        + " (marts.recon_daily, marts.data_freshness, marts.anomalies_daily)."
    )


def trust_alerts(paths: LinkstarPaths, run_id: str | None = None) -> list[Alert]:
    """The digest of every check after a build, and a check_failed alert when a row is at
    severity error (reconciliation) or a source is error-stale (freshness)."""
    with read_only_warehouse(paths) as connection:
        recon = list(_recon_verdicts(connection, [c.name for c in recon_checks()]).items())
        freshness = _verdict(connection, _FRESHNESS_ROWS, [])
        unusual = _verdict(connection, _ANOMALY_ROWS, [])
    lines = [_recon_line(name, verdict) for name, verdict in recon if verdict.off]
    lines += [
        f"stale: {row['source']} of shop {row['shop_id']}: {row['reason']}"
        for row in freshness.examples
    ]
    lines += [
        f"unusual: {row['metric']} of shop {row['shop_id']} on {row['local_date']}: "
        f"{row['metric_value']} against a median of {row['baseline_median']} "
        f"(robust z {row['robust_z']})"
        for row in unusual.examples[:UNUSUAL_ROWS_SHOWN]
    ]
    off = sum(1 for _, verdict in recon if verdict.off)
    digest = Alert(
        "digest",
        f"{len(recon) - off} of {len(recon)} reconciliation checks ok, "
        f"{freshness.off} source freshness rows off, "
        f"{unusual.off} shop KPI values outside their usual range",
        lines or ["Every source agrees within tolerance and is fresh."],
        run_id,
    )
    errors = [name for name, verdict in recon if verdict.worst_status == "error"]
    if freshness.worst_status == "error":
        errors.append("sources_are_fresh")
    if not errors:
        return [digest]
    failed = Alert("check_failed", f"check at severity error: {', '.join(errors)}", lines, run_id)
    return [failed, digest]


def _recon_line(name: str, verdict: Verdict) -> str:
    first = verdict.examples[0]
    return (
        f"{name}: {verdict.off} shop-days {verdict.worst_status}; e.g. shop {first['shop_id']} "
        f"on {first['local_date']}: {first['left_value']} vs {first['right_value']} "
        f"(difference {first['difference']})"
    )
