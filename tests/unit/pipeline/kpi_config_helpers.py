"""Copies of the example kpi_config/ with one edit, and the problems they produce."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from linkstar_pipeline.lib.kpi_config.model import KpiConfigError
from linkstar_pipeline.lib.kpi_config.validate import REPO_ROOT, validate_config_dir

EXAMPLE_DIR = REPO_ROOT / "kpi_config"
TODAY = date(2026, 11, 23)


def example_copy(tmp_path: Path) -> Path:
    target = tmp_path / "kpi_config"
    shutil.copytree(EXAMPLE_DIR, target)
    return target


def edit(config_dir: Path, file: str, old: str, new: str) -> None:
    path = config_dir / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {file}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(config_dir: Path, file: str, fragment: str) -> int:
    """1-based line of the only line containing `fragment`."""
    lines = (config_dir / file).read_text(encoding="utf-8").splitlines()
    found = [number for number, line in enumerate(lines, start=1) if fragment in line]
    assert len(found) == 1, f"{fragment!r} is on lines {found} of {file}"
    return found[0]


def problems(config_dir: Path, raw_dir: Path, today: date = TODAY) -> list[str]:
    with pytest.raises(KpiConfigError) as raised:
        validate_config_dir(config_dir, raw_dir, today)
    return raised.value.problems


def one_problem_with(found: list[str], *parts: str) -> str:
    matching = [problem for problem in found if all(part in problem for part in parts)]
    assert len(matching) == 1, f"expected one problem with {parts}, got {found}"
    return matching[0]
