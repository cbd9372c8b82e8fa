import textwrap

import pytest
import yaml

from linkstar_pipeline.lib.kpi_dictionary import (
    Kpi,
    KpiDictionaryError,
    KpiTag,
    consistency_problems,
    kpi_mart_names,
    load_dictionary,
    read_kpi_tags,
)
from linkstar_pipeline.lib.kpi_dictionary_docs import (
    GeneratedPage,
    render_dbt_docs,
    render_docs_page,
    stale_pages,
    write_pages,
)


def _entry(**overrides) -> dict:
    entry = {
        "name": "ctr",
        "label": "Click-through rate",
        "label_zh": "点击率",
        "formula": "clicks / impressions",
        "grain": "ad × day",
        "unit": "ratio",
        "basis": "n/a",
        "direction": "higher",
        "owner_role": "ads_buyer",
        "caveats": "Ratio of sums.",
    }
    entry.update(overrides)
    return {key: value for key, value in entry.items() if value is not None}


def _write_domain(kpis_dir, domain, *entries) -> None:
    kpis_dir.mkdir(exist_ok=True)
    text = yaml.safe_dump({"kpis": list(entries)}, allow_unicode=True)
    (kpis_dir / f"{domain}.yml").write_text(text, encoding="utf-8")


def _problems(kpis_dir) -> list[str]:
    with pytest.raises(KpiDictionaryError) as raised:
        load_dictionary(kpis_dir)
    return raised.value.problems


def test_a_valid_file_loads_every_entry_with_its_domain(tmp_path):
    _write_domain(tmp_path, "ads", _entry(), _entry(name="cpc", unit="currency", direction="lower"))
    kpis = load_dictionary(tmp_path)
    assert [(kpi.name, kpi.domain, kpi.unit) for kpi in kpis] == [
        ("ctr", "ads", "ratio"),
        ("cpc", "ads", "currency"),
    ]
    assert kpis[0].label_zh == "点击率"


def test_a_missing_field_names_the_file_the_entry_and_the_field(tmp_path):
    _write_domain(tmp_path, "ads", _entry(label_zh=None))
    [problem] = _problems(tmp_path)
    assert "ads.yml" in problem
    assert "entry 'ctr'" in problem
    assert "`label_zh` is missing or empty" in problem


def test_a_bad_direction_lists_the_allowed_values(tmp_path):
    _write_domain(tmp_path, "ads", _entry(direction="up"))
    [problem] = _problems(tmp_path)
    assert "entry 'ctr'" in problem
    assert "`direction: up` is not one of higher, lower, neutral" in problem


@pytest.mark.parametrize(
    ("field", "value"),
    [("unit", "percent"), ("basis", "shipped"), ("owner_role", "intern")],
)
def test_values_outside_the_allowed_lists_are_rejected(tmp_path, field, value):
    _write_domain(tmp_path, "ads", _entry(**{field: value}))
    [problem] = _problems(tmp_path)
    assert f"`{field}: {value}` is not one of" in problem


def test_a_name_used_in_two_files_is_a_duplicate_naming_both_files(tmp_path):
    _write_domain(tmp_path, "ads", _entry())
    _write_domain(tmp_path, "content", _entry(label="CTR of videos"))
    [problem] = _problems(tmp_path)
    assert problem.startswith(f"{tmp_path / 'content.yml'}: entry 'ctr': duplicate name")
    assert "ads.yml" in problem


def test_every_problem_is_reported_at_once(tmp_path):
    _write_domain(
        tmp_path,
        "ads",
        _entry(name="Click Rate", typo="x"),
        _entry(name=None, direction="sideways"),
        "not a mapping",
    )
    problems = _problems(tmp_path)
    assert len(problems) == 5, problems
    joined = "\n".join(problems)
    assert "name 'Click Rate' is not snake_case" in joined
    assert "unknown field(s) ['typo']" in joined
    assert "entry #2: field `name` is missing" in joined
    assert "entry #2: `direction: sideways`" in joined
    assert "entry #3: must be a mapping" in joined


def test_jinja_delimiters_are_rejected_because_the_text_goes_into_dbt_docs(tmp_path):
    _write_domain(tmp_path, "ads", _entry(formula="{{ ctr('clicks', 'impressions') }}"))
    [problem] = _problems(tmp_path)
    assert "field `formula` contains a Jinja delimiter" in problem


def test_a_file_without_a_kpis_list_and_an_empty_folder_are_errors(tmp_path):
    assert "no <domain>.yml files" in _problems(tmp_path)[0]
    (tmp_path / "ads.yml").write_text("- name: ctr\n")
    [problem] = _problems(tmp_path)
    assert "ads.yml: must hold a top-level `kpis:` list" in problem


def _write_marts(marts_dir, yml: str, *sql_models: str) -> None:
    marts_dir.mkdir(exist_ok=True)
    (marts_dir / "_marts_test__models.yml").write_text(textwrap.dedent(yml))
    for model in sql_models:
        (marts_dir / f"{model}.sql").write_text("select 1")


MARTS_YML = """
    version: 2
    models:
      - name: kpi_ads_daily
        columns:
          - name: ad_id
          - name: ctr
            meta: {kpi: ctr}
          - name: cpc
            config:
              meta: {kpi: cpc}
      - name: fct_ads_daily
        columns:
          - name: clicks
"""


def test_tags_are_read_from_meta_and_from_config_meta(tmp_path):
    _write_marts(tmp_path, MARTS_YML, "kpi_ads_daily", "kpi_empty", "fct_ads_daily")
    tags = read_kpi_tags(tmp_path)
    assert [(tag.where, tag.kpi) for tag in tags] == [
        ("kpi_ads_daily.ctr", "ctr"),
        ("kpi_ads_daily.cpc", "cpc"),
    ]
    assert kpi_mart_names(tmp_path) == ["kpi_ads_daily", "kpi_empty"]


def test_a_tag_that_is_not_one_name_is_an_error(tmp_path):
    _write_marts(tmp_path, MARTS_YML.replace("{kpi: ctr}", "{kpi: [ctr, cpc]}"))
    with pytest.raises(KpiDictionaryError, match=r"kpi_ads_daily.ctr: meta.kpi must be one KPI"):
        read_kpi_tags(tmp_path)


def _kpi(name: str, domain: str = "ads") -> Kpi:
    return Kpi(**{**_entry(name=name), "domain": domain})


def test_consistency_flags_unknown_tags_untagged_kpis_and_kpi_marts_without_tags(tmp_path):
    _write_marts(tmp_path, MARTS_YML, "kpi_ads_daily", "kpi_empty")
    tags = read_kpi_tags(tmp_path)
    kpis = [_kpi("ctr"), _kpi("roas")]
    problems = consistency_problems(kpis, tags, kpi_mart_names(tmp_path))
    assert len(problems) == 3, problems
    assert (
        "kpi_ads_daily.cpc has meta.kpi 'cpc', which is in no dbt_project/kpis/*.yml"
        in (problems[0])
    )
    assert "dbt_project/kpis/ads.yml: entry 'roas' is tagged on no mart column" in problems[1]
    assert problems[2] == "mart kpi_empty: a kpi_* mart with no column tagged `meta: {kpi: ...}`"
    assert consistency_problems([_kpi("ctr"), _kpi("cpc")], tags, ["kpi_ads_daily"]) == []


def test_a_kpi_mart_stating_why_it_has_no_kpi_column_is_not_flagged(tmp_path):
    exempt = """
        version: 2
        models:
          - name: kpi_history
            meta: {kpi_free: a history of configuration rows, no measure}
          - name: kpi_blank_reason
            config:
              meta: {kpi_free: " "}
    """
    _write_marts(tmp_path, exempt, "kpi_history", "kpi_blank_reason", "kpi_empty")
    assert kpi_mart_names(tmp_path) == ["kpi_blank_reason", "kpi_empty"]


def test_the_pages_show_every_field_and_the_columns_carrying_each_kpi(tmp_path):
    kpis = [_kpi("ctr"), Kpi(**{**_entry(name="cpc", caveats="a | b"), "domain": "ads"})]
    tags = [
        KpiTag("kpi_market_daily", "ctr", "ctr", tmp_path),
        KpiTag("kpi_ads_daily", "ctr", "ctr", tmp_path),
    ]
    page = render_docs_page(kpis, tags)
    assert "linkstar kpi-dictionary" in page.splitlines()[3]
    assert "## ads" in page and "### ctr" in page and "### cpc" in page
    assert "| Mart columns | `kpi_ads_daily.ctr`, `kpi_market_daily.ctr` |" in page
    assert "| Mart columns | (none) |" in page
    assert "| Caveats | a \\| b |" in page
    for value in ("Click-through rate", "点击率", "clicks / impressions", "ad × day", "ads_buyer"):
        assert f"| {value} |" in page
    dbt_docs = render_dbt_docs(kpis, tags)
    assert "{% docs __overview__ %}" in dbt_docs
    assert "{% docs kpi_ctr %}" in dbt_docs and "{% docs kpi_cpc %}" in dbt_docs
    assert dbt_docs.count("{% enddocs %}") == 3


def test_only_stale_pages_are_rewritten(tmp_path):
    current = GeneratedPage(tmp_path / "current.md", "same\n")
    current.path.write_text("same\n")
    edited = GeneratedPage(tmp_path / "edited.md", "fresh\n")
    edited.path.write_text("hand edit\n")
    missing = GeneratedPage(tmp_path / "missing.md", "new\n")
    pages = [current, edited, missing]
    assert stale_pages(pages) == [edited.path, missing.path]
    assert write_pages(pages) == [edited.path, missing.path]
    assert edited.path.read_text() == "fresh\n" and missing.path.read_text() == "new\n"
    assert stale_pages(pages) == []
