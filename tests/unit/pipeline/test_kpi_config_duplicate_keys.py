"""A key written twice in a kpi_config YAML file is a problem named `file:line (key)`, like
every other; YAML alone would keep the last value and silently drop the first."""

from __future__ import annotations

import re

import pytest

from linkstar_pipeline.lib.kpi_config.model import FILES
from tests.unit.pipeline.kpi_config_helpers import edit, example_copy, one_problem_with, problems


def test_a_second_kpi_sets_key_is_a_duplicate_key_problem_not_ten_lost_sets(tmp_path):
    config = example_copy(tmp_path)
    path = config / "kpi_sets.yml"
    text = path.read_text(encoding="utf-8")
    first = text.splitlines().index("kpi_sets:") + 1
    # The file: the list started again under a second `kpi_sets:`, holding one set.
    sets = text.split("kpi_sets:\n", 1)[1].split("\n  - id:")
    second_block = "kpi_sets:\n" + sets[0] + "\n  - id:" + sets[1]
    path.write_text(text + "\n" + second_block + "\n", encoding="utf-8")
    repeat = len(text.splitlines()) + 2

    one_problem_with(
        problems(config, tmp_path / "raw"),
        f"kpi_sets.yml:{repeat} (kpi_sets): duplicate key",
        f"first written on line {first}",
    )


def test_a_key_repeated_inside_a_nested_mapping_is_named_by_its_path(tmp_path):
    config = example_copy(tmp_path)
    edit(config, "kpi_sets.yml", "{kpi: cpm, weight: 25,", "{kpi: cpm, weight: 25, weight: 30,")
    found = one_problem_with(problems(config, tmp_path / "raw"), "duplicate key")
    assert re.match(
        r"kpi_sets\.yml:\d+ \(kpi_sets\[2\]\.kpis\[\d\]\.weight\): duplicate key", found
    )


@pytest.mark.parametrize("file", FILES)
def test_a_repeated_top_level_key_is_reported_in_every_config_file(tmp_path, file):
    config = example_copy(tmp_path)
    path = config / file
    text = path.read_text(encoding="utf-8")
    key = re.search(r"^(\w+):", text, flags=re.MULTILINE).group(1)
    path.write_text(text.rstrip("\n") + f"\n{key}: []\n", encoding="utf-8")
    repeat = len(text.rstrip("\n").splitlines()) + 1

    one_problem_with(problems(config, tmp_path / "raw"), f"{file}:{repeat} ({key}): duplicate key")
