"""One call that reads, checks and (on request) lands the configuration directory."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from linkstar_pipeline.lib.kpi_config.landing import newest_landed, read_landed_table
from linkstar_pipeline.lib.kpi_config.loader import read_config
from linkstar_pipeline.lib.kpi_config.model import KpiConfig, KpiConfigError
from linkstar_pipeline.lib.kpi_config.references import References, load_references
from linkstar_pipeline.lib.kpi_config.rules import config_problems
from linkstar_pipeline.lib.paths import PROJECT_ROOT, project_path

REPO_ROOT = PROJECT_ROOT
CONFIG_DIR_ENV = "LINKSTAR_KPI_CONFIG_DIR"


def default_config_dir() -> Path:
    """$LINKSTAR_KPI_CONFIG_DIR (relative: from the project folder), else <project>/kpi_config."""
    return project_path(os.environ.get(CONFIG_DIR_ENV) or "kpi_config")


@dataclass(frozen=True)
class ValidConfig:
    config: KpiConfig
    references: References


def validate_config_dir(
    config_dir: Path, raw_dir: Path, today: date, references: References | None = None
) -> ValidConfig:
    """The checked configuration; raises KpiConfigError listing every problem.

    The stability rule compares with the newest version landed under `raw_dir`, if any."""
    refs = references or load_references(raw_dir, today)
    config, problems = read_config(config_dir)
    if config is None:
        raise KpiConfigError(problems)
    previous = newest_landed(raw_dir)
    landed_sets = None
    if previous is not None:
        landed_sets = read_landed_table(raw_dir, "kpi_sets", previous.version)
    found = config_problems(config, refs, landed_sets, previous.version if previous else 0)
    problems += _not_at(found, {_spot(problem) for problem in problems})
    if problems:
        raise KpiConfigError(problems)
    return ValidConfig(config, refs)


def _spot(problem: str) -> str:
    """`file:line` of a problem."""
    return problem.split(" ", 1)[0]


def _not_at(problems: list[str], spots: set[str]) -> list[str]:
    """Rule problems not at a spot that already has a shape problem (whose placeholder value
    would only repeat it)."""
    return [problem for problem in problems if _spot(problem) not in spots]
