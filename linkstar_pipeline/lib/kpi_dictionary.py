"""The KPI dictionary: one YAML file per domain under dbt_project/kpis/, validated here.

Each file holds `kpis:`, a list of entries with the fields in `FIELDS`. A mart column that IS a
KPI names its entry with `meta: {kpi: <name>}` (or `config: {meta: {kpi: <name>}}`, which dbt
1.10+ treats the same) in a yml under dbt_project/models/marts/. This module only reads files;
the generated pages live in `kpi_dictionary_docs`. Every problem found is reported at once,
each naming the file, the entry and the rule broken, so one run fixes them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
KPIS_DIR = DBT_PROJECT_DIR / "kpis"
MARTS_DIR = DBT_PROJECT_DIR / "models" / "marts"

FIELDS = (
    "name",
    "label",
    "label_zh",
    "formula",
    "grain",
    "unit",
    "basis",
    "direction",
    "owner_role",
    "caveats",
)
ALLOWED_VALUES = {
    "unit": ("currency", "count", "ratio", "seconds", "hours", "days", "units"),
    "basis": ("paid", "delivered", "completed", "headline", "n/a"),
    "direction": ("higher", "lower", "neutral"),
    "owner_role": (
        "live_host",
        "ads_buyer",
        "content_editor",
        "customer_service",
        "operations",
        "regional_lead",
        "headquarters",
    ),
}
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
# The text is copied into dbt docs blocks, where these would be read as Jinja.
JINJA_DELIMITERS = ("{{", "}}", "{%", "%}", "{#", "#}")


class KpiDictionaryError(ValueError):
    """The dictionary (or a mart's KPI tags) breaks a rule; `problems` lists every breach."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(
            f"KPI dictionary: {len(problems)} problem(s); fix the files named below, then run "
            f"`linkstar kpi-dictionary` to regenerate the pages:\n{listing}"
        )


@dataclass(frozen=True)
class Kpi:
    name: str
    label: str
    label_zh: str
    formula: str
    grain: str
    unit: str
    basis: str
    direction: str
    owner_role: str
    caveats: str
    domain: str  # the file stem: dbt_project/kpis/<domain>.yml


@dataclass(frozen=True)
class KpiTag:
    """A mart column that carries a KPI."""

    model: str
    column: str
    kpi: str
    file: Path

    @property
    def where(self) -> str:
        return f"{self.model}.{self.column}"


def load_dictionary(kpis_dir: Path = KPIS_DIR) -> list[Kpi]:
    """Every KPI of every `<domain>.yml`, in file then entry order; raises KpiDictionaryError."""
    files = sorted(kpis_dir.glob("*.yml"))
    if not files:
        raise KpiDictionaryError([f"{kpis_dir}: no <domain>.yml files"])
    problems: list[str] = []
    kpis: list[Kpi] = []
    first_seen: dict[str, str] = {}
    for path in files:
        for label, entry in _entries(path, problems):
            kpi = _validated(path, label, entry, problems)
            if kpi is None:
                continue
            if kpi.name in first_seen:
                problems.append(
                    f"{_short(path)}: entry '{kpi.name}': duplicate name, "
                    f"already defined in {first_seen[kpi.name]} (names are unique across files)"
                )
                continue
            first_seen[kpi.name] = _short(path)
            kpis.append(kpi)
    if problems:
        raise KpiDictionaryError(problems)
    return kpis


def _entries(path: Path, problems: list[str]) -> list[tuple[str, object]]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        problems.append(f"{_short(path)}: not valid YAML: {error}")
        return []
    if not isinstance(document, dict) or not isinstance(document.get("kpis"), list):
        problems.append(f"{_short(path)}: must hold a top-level `kpis:` list")
        return []
    unexpected = sorted(set(document) - {"kpis"})
    if unexpected:
        problems.append(f"{_short(path)}: unknown top-level key(s) {unexpected}; only `kpis`")
    return [(_entry_label(index, entry), entry) for index, entry in enumerate(document["kpis"])]


def _entry_label(index: int, entry: object) -> str:
    name = entry.get("name") if isinstance(entry, dict) else None
    return f"entry '{name}'" if isinstance(name, str) and name else f"entry #{index + 1}"


def _validated(path: Path, label: str, entry: object, problems: list[str]) -> Kpi | None:
    where = f"{_short(path)}: {label}"
    if not isinstance(entry, dict):
        problems.append(f"{where}: must be a mapping of {', '.join(FIELDS)}")
        return None
    found = len(problems)
    for field in FIELDS:
        value = entry.get(field)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{where}: field `{field}` is missing or empty (a non-empty string)")
        elif any(delimiter in value for delimiter in JINJA_DELIMITERS):
            problems.append(f"{where}: field `{field}` contains a Jinja delimiter ({{{{ {{% {{#)")
    unknown = sorted(set(entry) - set(FIELDS))
    if unknown:
        problems.append(f"{where}: unknown field(s) {unknown}; allowed: {', '.join(FIELDS)}")
    for field, allowed in ALLOWED_VALUES.items():
        value = entry.get(field)
        if isinstance(value, str) and value.strip() and value not in allowed:
            problems.append(f"{where}: `{field}: {value}` is not one of {', '.join(allowed)}")
    name = entry.get("name")
    if isinstance(name, str) and name and not NAME_PATTERN.match(name):
        problems.append(f"{where}: name '{name}' is not snake_case (a-z, 0-9, single '_')")
    if len(problems) > found:
        return None
    return Kpi(**{field: " ".join(entry[field].split()) for field in FIELDS}, domain=path.stem)


def read_kpi_tags(marts_dir: Path = MARTS_DIR) -> list[KpiTag]:
    """Every mart column with `meta.kpi` (or `config.meta.kpi`), in file and column order."""
    tags: list[KpiTag] = []
    problems: list[str] = []
    for path in sorted(marts_dir.rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in document.get("models") or []:
            for column in model.get("columns") or []:
                kpi = _column_kpi(column)
                if kpi is None:
                    continue
                where = f"{_short(path)}: {model.get('name')}.{column.get('name')}"
                if not isinstance(kpi, str) or not kpi:
                    problems.append(f"{where}: meta.kpi must be one KPI name, got {kpi!r}")
                    continue
                tags.append(KpiTag(model["name"], column["name"], kpi, path))
    if problems:
        raise KpiDictionaryError(problems)
    return tags


def _column_kpi(column: dict) -> object:
    meta = column.get("meta") or {}
    config_meta = (column.get("config") or {}).get("meta") or {}
    return meta.get("kpi", config_meta.get("kpi"))


def kpi_mart_names(marts_dir: Path = MARTS_DIR) -> list[str]:
    """`kpi_*` marts: models whose SQL file is under the marts folder, except those whose yml
    says why no column of theirs is a KPI (model `meta: {kpi_free: <reason>}`, e.g. a history of
    configuration rows)."""
    exempt = _kpi_free_models(marts_dir)
    return sorted(path.stem for path in marts_dir.rglob("kpi_*.sql") if path.stem not in exempt)


def _kpi_free_models(marts_dir: Path) -> set[str]:
    exempt: set[str] = set()
    for path in sorted(marts_dir.rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in document.get("models") or []:
            meta = {**((model.get("config") or {}).get("meta") or {}), **(model.get("meta") or {})}
            reason = meta.get("kpi_free")
            if isinstance(reason, str) and reason.strip():
                exempt.add(model.get("name"))
    return exempt


def consistency_problems(kpis: list[Kpi], tags: list[KpiTag], kpi_marts: list[str]) -> list[str]:
    """Tags naming no KPI, KPIs tagged nowhere, and kpi_* marts with no tagged column."""
    names = {kpi.name for kpi in kpis}
    tagged = {tag.kpi for tag in tags}
    tagged_models = {tag.model for tag in tags}
    problems = [
        f"{_short(tag.file)}: {tag.where} has meta.kpi '{tag.kpi}', which is in no "
        f"dbt_project/kpis/*.yml; add it there (or fix the tag)"
        for tag in tags
        if tag.kpi not in names
    ]
    problems += [
        f"dbt_project/kpis/{kpi.domain}.yml: entry '{kpi.name}' is tagged on no mart column; "
        f"add `meta: {{kpi: {kpi.name}}}` to the column that shows it (or remove the entry)"
        for kpi in kpis
        if kpi.name not in tagged
    ]
    problems += [
        f"mart {model}: a kpi_* mart with no column tagged `meta: {{kpi: ...}}`"
        for model in kpi_marts
        if model not in tagged_models
    ]
    return problems


def _short(path: Path) -> str:
    """The path relative to the repository when it is inside it (clearer in messages)."""
    try:
        return str(path.resolve().relative_to(DBT_PROJECT_DIR.parent))
    except ValueError:
        return str(path)
