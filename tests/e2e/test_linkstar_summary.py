"""`linkstar summary` on the shared e2e warehouse (no build of its own): a per-scope overview
in the reporting currency where `--days 1` still counts every shop, and the days after the
newest day finished everywhere are labelled partial. Expected figures come from the
generator's truth (orders) and the shops' time zones at the pinned clock."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from sandbox.ground_truth import shop_daily_truth
from tests.conftest import AS_OF

pytestmark = pytest.mark.e2e


def _summary(home, days: int, monkeypatch, capsys) -> str:
    """`linkstar summary --days N` through the CLI's entry point, in this process (a
    subprocess would spend seconds importing what this process has loaded already)."""
    from linkstar_pipeline.cli import main

    monkeypatch.setenv("LINKSTAR_HOME", str(home))
    capsys.readouterr()
    assert main(["summary", "--days", str(days)]) == 0, capsys.readouterr().err
    return capsys.readouterr().out


def _table(text: str, heading: str) -> dict[str, list[str]]:
    """First cell → the other cells of each row of the table under the line starting with
    `heading` (cells are separated by two or more spaces)."""
    block = text.split(heading, 1)[1].split("\n\n", 1)[0].splitlines()[2:]
    rows = {}
    for line in block:
        cells = [cell for cell in line.strip().split("  ") if cell.strip()]
        rows[cells[0].strip()] = [cell.strip() for cell in cells[1:]]
    return rows


def test_summary_counts_every_shop_with_one_day_and_labels_partial_days(
    loaded_warehouse, tmp_path, monkeypatch, capsys
):
    home, sandbox, *_ = loaded_warehouse
    own = tmp_path / "home"
    own.mkdir()
    (own / "serving").symlink_to(home / "serving", target_is_directory=True)
    shops = sandbox.dataset.shops
    # The newest day that has ended in every shop's time zone at the pipeline's clock.
    finished = min(AS_OF.astimezone(ZoneInfo(s.time_zone)).date() for s in shops) - timedelta(1)
    truth = shop_daily_truth(sandbox.dataset, sandbox.as_of(), sandbox.api.after_sales)

    text = _summary(own, 1, monkeypatch, capsys)

    scopes = _table(text, "By scope, the 1 finished day(s)")
    assert f"{finished} – {finished}" in text
    assert scopes["All shops"][-1] == str(len(shops)), "every shop counted with --days 1"
    for market, count in Counter(s.region for s in shops).items():
        assert scopes[market][-1] == str(count), market
    orders = sum(truth[(s.shop_id, finished)].orders_paid for s in shops)
    assert scopes["All shops"][1] == f"{orders:,}"
    assert "USD" in text.split("\n", 1)[0], "money in the reporting currency"
    days = _table(text, "GMV (USD, paid) and orders of all shops per local day")
    assert min(days) == str(finished) and not days[str(finished)][2:]
    later = [day for day in days if day > str(finished)]
    assert later, "the pinned clock falls inside a day still under way somewhere"
    for day in later:
        assert days[day][-1].startswith("partial: under way in"), (day, days[day])
    assert len(text.splitlines()) < 40, "a short overview, not a row per shop and day"
