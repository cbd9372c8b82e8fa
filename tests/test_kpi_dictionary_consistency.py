"""The repository's KPI dictionary agrees with its marts, and the generated pages are current."""

from linkstar_pipeline import cli
from linkstar_pipeline.lib.kpi_dictionary import (
    consistency_problems,
    kpi_mart_names,
    load_dictionary,
    read_kpi_tags,
)
from linkstar_pipeline.lib.kpi_dictionary_docs import generated_pages, stale_pages


def test_every_kpi_tag_names_a_dictionary_kpi_and_every_kpi_is_tagged():
    kpis = load_dictionary()
    tags = read_kpi_tags()
    assert kpis and tags
    assert consistency_problems(kpis, tags, kpi_mart_names()) == []


def test_every_kpi_mart_exists_with_at_least_one_tagged_column():
    marts = kpi_mart_names()
    assert "kpi_shop_daily" in marts
    tagged = {tag.model for tag in read_kpi_tags()}
    assert set(marts) <= tagged


def test_generated_pages_equal_a_fresh_rendering():
    pages, _ = generated_pages()
    stale = [str(path) for path in stale_pages(pages)]
    assert stale == [], f"{stale} differ from the dictionary: run `linkstar kpi-dictionary`"


def test_the_cli_check_passes_on_the_repository(capsys):
    assert cli.main(["kpi-dictionary", "--check"]) == 0, capsys.readouterr().err
