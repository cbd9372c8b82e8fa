"""dim_dates (issue #17 §3): every day a DATE, with ISO year/week/weekday, month, quarter and the
seller's promotion days from the KPI configuration, equal to Python's calendar and the config."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from linkstar_pipeline.lib.kpi_config.loader import load_config

pytestmark = pytest.mark.e2e

KPI_CONFIG = Path(__file__).resolve().parents[2] / "kpi_config"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def test_every_day_matches_the_iso_calendar_and_the_configured_promotions(loaded_warehouse):
    home, *_ = loaded_warehouse
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as warehouse:
        cursor = warehouse.execute("select * from marts.dim_dates order by local_date")
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        types = dict(
            warehouse.execute(
                "select column_name, column_type from (describe marts.dim_dates)"
            ).fetchall()
        )
    assert {types[c] for c in ("local_date", "week_start", "month_start", "quarter_start")} == {
        "DATE"
    }
    promotions = load_config(KPI_CONFIG).promotions
    assert promotions, "the example configuration has a promotion to check against"
    assert [r["local_date"] for r in rows] == [
        rows[0]["local_date"] + timedelta(days=n) for n in range(len(rows))
    ]
    wrong = []
    for row in rows:
        day: date = row["local_date"]
        iso = day.isocalendar()
        running = sorted(
            (p for p in promotions if p.date_from <= day <= p.date_to), key=lambda p: p.promotion_id
        )
        expected = {
            "week_start": day - timedelta(days=day.weekday()),
            "month_start": day.replace(day=1),
            "quarter_start": date(day.year, 3 * ((day.month - 1) // 3) + 1, 1),
            "calendar_year": day.year,
            "calendar_quarter": (day.month - 1) // 3 + 1,
            "calendar_month": day.month,
            "day_of_month": day.day,
            "iso_year": iso.year,
            "iso_week": iso.week,
            "iso_weekday": iso.weekday,
            "weekday_name": WEEKDAYS[day.weekday()],
            "is_weekend": day.weekday() >= 5,
            "is_promotion_day": bool(running),
            "promotion_ids": ", ".join(p.promotion_id for p in running) or None,
        }
        got = {key: row[key] for key in expected}
        if got != expected:
            wrong.append((day, got, expected))
    assert not wrong, wrong[:3]
    assert any(row["is_promotion_day"] for row in rows)
