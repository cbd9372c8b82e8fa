"""Generated pages of the KPI dictionary: docs/kpi_dictionary.md and the dbt docs blocks.

Both are rendered from dbt_project/kpis/*.yml plus the mart columns tagged `meta.kpi`, never
hand-edited; a test fails when a committed page differs from a fresh rendering. dbt docs get
the dictionary through dbt_project/models/marts/_kpi_dictionary.md: the `__overview__` block
(the dbt docs home page) lists every KPI, and one `kpi_<name>` block per KPI holds its full
definition for a column description to include with `{{ doc('kpi_<name>') }}`. dbt docs also
show each tagged column's `meta.kpi` in the column's details.

Regenerate with `linkstar kpi-dictionary` (or `python -m linkstar_pipeline.lib.kpi_dictionary_docs`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from linkstar_pipeline.lib.kpi_dictionary import (
    DBT_PROJECT_DIR,
    KPIS_DIR,
    MARTS_DIR,
    Kpi,
    KpiDictionaryError,
    KpiTag,
    consistency_problems,
    kpi_mart_names,
    load_dictionary,
    read_kpi_tags,
)

REPO_ROOT = DBT_PROJECT_DIR.parent
DOCS_PAGE = REPO_ROOT / "docs" / "kpi_dictionary.md"
DBT_DOCS_FILE = MARTS_DIR / "_kpi_dictionary.md"
REGENERATE = "linkstar kpi-dictionary"
DEFINITION_ROWS = (
    ("Label", "label"),
    ("中文", "label_zh"),
    ("Formula", "formula"),
    ("Grain", "grain"),
    ("Unit", "unit"),
    ("Basis", "basis"),
    ("Direction", "direction"),
    ("Owner role", "owner_role"),
    ("Caveats", "caveats"),
)


@dataclass(frozen=True)
class GeneratedPage:
    path: Path
    text: str


def generated_pages(
    kpis_dir: Path = KPIS_DIR, marts_dir: Path = MARTS_DIR
) -> tuple[list[GeneratedPage], list[str]]:
    """The pages as they should be, and the consistency problems between dictionary and marts."""
    kpis = load_dictionary(kpis_dir)
    tags = read_kpi_tags(marts_dir)
    problems = consistency_problems(kpis, tags, kpi_mart_names(marts_dir))
    pages = [
        GeneratedPage(DOCS_PAGE, render_docs_page(kpis, tags)),
        GeneratedPage(DBT_DOCS_FILE, render_dbt_docs(kpis, tags)),
    ]
    return pages, problems


def render_docs_page(kpis: list[Kpi], tags: list[KpiTag]) -> str:
    lines = [
        "# KPI dictionary",
        "",
        "<!-- Generated from dbt_project/kpis/*.yml and the mart columns tagged `meta.kpi`.",
        f"     Do not edit: change the YAML, then run `{REGENERATE}`. -->",
        "",
        "Generated from `dbt_project/kpis/<domain>.yml` (one file per domain) and the mart columns",
        "tagged `meta: {kpi: <name>}` in `dbt_project/models/marts/*.yml`. Do not edit this page:",
        f"change the YAML and run `{REGENERATE}`; a test fails when the page is out of date.",
        "",
        "| KPI | Label | 中文 | Unit | Basis | Direction | Owner role |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| [`{kpi.name}`](#{kpi.name}) | {_cell(kpi.label)} | {_cell(kpi.label_zh)} | {kpi.unit}"
        f" | {kpi.basis} | {kpi.direction} | {kpi.owner_role} |"
        for kpi in kpis
    ]
    for domain, domain_kpis in _by_domain(kpis):
        lines += ["", f"## {domain}", "", f"From `dbt_project/kpis/{domain}.yml`."]
        for kpi in domain_kpis:
            lines += ["", f"### {kpi.name}", ""]
            lines += _definition_table(kpi, _columns_carrying(kpi, tags))
    return "\n".join(lines) + "\n"


def render_dbt_docs(kpis: list[Kpi], tags: list[KpiTag]) -> str:
    lines = [
        f"{{#- Generated from dbt_project/kpis/*.yml by `{REGENERATE}`: do not edit. -#}}",
        "",
        "{% docs __overview__ %}",
        "# LinkStar warehouse",
        "",
        "Marts for BI are in schema `marts`. Every column that is a KPI names its entry of the",
        "KPI dictionary in its `meta.kpi` (shown in the column's details); the entries are below,",
        "and in `docs/kpi_dictionary.md`.",
        "",
        "| KPI | Label | 中文 | Formula | Unit | Basis | Direction | Owner role | Columns |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| `{kpi.name}` | {_cell(kpi.label)} | {_cell(kpi.label_zh)} | {_cell(kpi.formula)}"
        f" | {kpi.unit} | {kpi.basis} | {kpi.direction} | {kpi.owner_role}"
        f" | {_cell(', '.join(_columns_carrying(kpi, tags)))} |"
        for kpi in kpis
    ]
    lines += ["{% enddocs %}"]
    for kpi in kpis:
        lines += ["", f"{{% docs kpi_{kpi.name} %}}"]
        lines += _definition_table(kpi, _columns_carrying(kpi, tags))
        lines += ["{% enddocs %}"]
    return "\n".join(lines) + "\n"


def _definition_table(kpi: Kpi, columns: list[str]) -> list[str]:
    rows = ["| Field | Value |", "|---|---|"]
    rows += [f"| {title} | {_cell(getattr(kpi, field))} |" for title, field in DEFINITION_ROWS]
    rows.append(f"| Mart columns | {_cell(', '.join(f'`{c}`' for c in columns) or '(none)')} |")
    return rows


def _by_domain(kpis: list[Kpi]) -> Iterable[tuple[str, list[Kpi]]]:
    domains: dict[str, list[Kpi]] = {}
    for kpi in kpis:
        domains.setdefault(kpi.domain, []).append(kpi)
    return domains.items()


def _columns_carrying(kpi: Kpi, tags: list[KpiTag]) -> list[str]:
    return sorted(tag.where for tag in tags if tag.kpi == kpi.name)


def _cell(text: str) -> str:
    """One line, pipes escaped: the text sits in a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def stale_pages(pages: list[GeneratedPage]) -> list[Path]:
    """Pages whose committed text differs from the fresh rendering (or that are missing)."""
    return [
        page.path
        for page in pages
        if not page.path.exists() or page.path.read_text(encoding="utf-8") != page.text
    ]


def write_pages(pages: list[GeneratedPage]) -> list[Path]:
    """Write the pages that changed; returns them."""
    changed = stale_pages(pages)
    for page in pages:
        if page.path in changed:
            page.path.write_text(page.text, encoding="utf-8")
    return changed


def main(check: bool = False) -> int:
    """Regenerate the pages (or, with check, only report whether they are current)."""
    try:
        pages, problems = generated_pages()
    except KpiDictionaryError as error:
        print(error, file=sys.stderr)
        return 1
    if check:
        for path in stale_pages(pages):
            problems.append(f"{path.relative_to(REPO_ROOT)} is out of date; run `{REGENERATE}`")
    else:
        for path in write_pages(pages):
            print(f"wrote {path.relative_to(REPO_ROOT)}")
    for problem in problems:
        print(f"KPI dictionary: {problem}", file=sys.stderr)
    if not problems:
        print(_checked_line(pages, written=not check))
    return 1 if problems else 0


def _checked_line(pages: list[GeneratedPage], written: bool) -> str:
    """What a clean run checked, so silence is never the only sign of success."""
    kpis, tags = load_dictionary(KPIS_DIR), read_kpi_tags(MARTS_DIR)
    names = " and ".join(str(page.path.relative_to(REPO_ROOT)) for page in pages)
    state = "written and current" if written else "current"
    return (
        f"KPI dictionary OK: {len(kpis)} KPIs, {len(tags)} mart columns tagged with one, every "
        f"tag names a KPI and every KPI is in a mart; {names} are {state}."
    )


if __name__ == "__main__":
    sys.exit(main(check="--check" in sys.argv[1:]))
