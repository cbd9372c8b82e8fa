"""The pipeline's one clock: LINKSTAR_NOW pins it, the wall clock otherwise."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from linkstar_pipeline.lib.clock import (
    CLOCK_VARIABLE,
    ClockSettingError,
    pinned_now,
    pipeline_now,
    pipeline_today,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20T12:00:00Z", datetime(2026, 11, 20, 12, tzinfo=UTC)),
        ("2026-11-20T12:00:00+00:00", datetime(2026, 11, 20, 12, tzinfo=UTC)),
        # An offset is converted to UTC: 07:30 in Shanghai is the previous UTC day.
        ("2026-12-01T07:30:00+08:00", datetime(2026, 11, 30, 23, 30, tzinfo=UTC)),
        ("2026-12-31", datetime(2026, 12, 31, tzinfo=UTC)),  # no offset: UTC
        ("  2027-01-01 00:00  ", datetime(2027, 1, 1, tzinfo=UTC)),
    ],
)
def test_a_pinned_moment_is_read_as_utc(text, expected):
    environ = {CLOCK_VARIABLE: text}
    assert pinned_now(environ) == expected == pipeline_now(environ)
    assert pipeline_today(environ) == expected.date()


def test_unset_or_empty_follows_the_wall_clock():
    for environ in ({}, {CLOCK_VARIABLE: ""}, {CLOCK_VARIABLE: "  "}):
        assert pinned_now(environ) is None
        before = datetime.now(UTC)
        now = pipeline_now(environ)
        assert before <= now <= datetime.now(UTC) + timedelta(seconds=1)
        assert now.tzinfo is not None


def test_a_bad_moment_names_the_variable_and_the_fix():
    with pytest.raises(ClockSettingError, match="LINKSTAR_NOW='yesterday'.*unset it"):
        pipeline_now({CLOCK_VARIABLE: "yesterday"})


def test_the_suite_runs_on_the_pinned_clock_whatever_the_date():
    """tests/conftest.py pins the clock for the whole run (and its subprocesses)."""
    assert pipeline_today() == date(2026, 11, 20)
