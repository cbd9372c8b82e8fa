"""Mapping files: the shipped ones are valid, a seller's own are loaded, bad ones name file and key."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from connectors.erp_files import (
    CANONICAL_TABLES,
    ErpMappingError,
    builtin_mapping_files,
    load_mapping_file,
    load_mappings,
    read_erp_file,
)

VALID = """
vendor = "jijia"
kind = "sku_landed_cost"
version = "2026.1"
time_zone = "Asia/Shanghai"

[columns.seller_sku]
aliases = ["SKU编码"]
type = "text"
required = true

[columns.purchase_cost]
aliases = ["采购成本"]
type = "money"
required = true

[columns.currency]
aliases = ["币种"]
type = "text"
required = false
default = "CNY"
"""


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_mappings_cover_every_vendor_and_kind_and_ship_as_package_data():
    mappings = load_mappings()
    assert len(builtin_mapping_files()) == len(mappings) == 9
    assert {(m.vendor, m.kind) for m in mappings} == {
        (vendor, kind)
        for vendor in ("dianxiaomi", "mabang", "lingxing")
        for kind in CANONICAL_TABLES
    }
    for mapping in mappings:
        assert mapping.time_zone == "Asia/Shanghai"
        canonical = {c.name: c for c in CANONICAL_TABLES[mapping.kind]}
        assert all(column.type == canonical[column.name].type for column in mapping.columns)


def test_missing_currency_defaults_to_cny_in_every_builtin_mapping():
    for mapping in load_mappings():
        for column in mapping.columns:
            if column.name in ("shipping_cost_currency", "currency"):
                assert column.default == "CNY", mapping.label


def test_a_sellers_own_mapping_is_loaded_and_reads_its_vendors_file(tmp_path):
    _write(tmp_path / "mappings", "jijia_sku_costs.toml", VALID)
    mappings = load_mappings(tmp_path / "mappings")
    assert len(mappings) == 10
    export = tmp_path / "积加_成本.csv"
    export.write_text("SKU编码,采购成本,备注\r\nA-1,¥12.50,首批\r\n", encoding="utf-8")
    parsed = read_erp_file(export, mappings)
    assert (parsed.vendor, parsed.kind) == ("jijia", "sku_landed_cost")
    assert parsed.rows[0]["purchase_cost"] == 12.5
    assert parsed.rows[0]["currency"] == "CNY"
    assert parsed.ignored_headers == ("备注",)


def test_the_extra_mapping_directory_must_exist(tmp_path):
    with pytest.raises(ErpMappingError, match="does not exist"):
        load_mappings(tmp_path / "nope")


def test_the_same_vendor_kind_and_version_twice_is_an_error_naming_both_files(tmp_path):
    _write(tmp_path, "a.toml", VALID)
    _write(tmp_path, "b.toml", VALID)
    with pytest.raises(ErpMappingError) as caught:
        load_mappings(tmp_path)
    assert caught.value.mapping_file.endswith("b.toml")
    assert caught.value.key == "version"
    assert "a.toml" in str(caught.value)


@pytest.mark.parametrize(
    ("change", "key", "phrase"),
    [
        (('type = "money"', 'type = "currency"'), "columns.purchase_cost.type", "unknown type"),
        (('type = "money"', 'type = "decimal"'), "columns.purchase_cost.type", "canonical type"),
        (('vendor = "jijia"\n', ""), "vendor", "missing"),
        (('version = "2026.1"', "version = 3"), "version", "non-empty string"),
        (('kind = "sku_landed_cost"', 'kind = "sku_cost"'), "kind", "unknown kind"),
        (('time_zone = "Asia/Shanghai"', 'time_zone = "Beijing"'), "time_zone", "time zone"),
        (
            ('aliases = ["采购成本"]', 'aliases = ["SKU编码"]'),
            "columns.purchase_cost.aliases",
            "also",
        ),
        (('aliases = ["采购成本"]', "aliases = []"), "columns.purchase_cost.aliases", "non-empty"),
        (("[columns.currency]", "[columns.colour]"), "columns.colour", "has no column"),
        (('default = "CNY"', "default = true"), "columns.currency.default", "not a text"),
        (('default = "CNY"', 'defualt = "CNY"'), "columns.currency.defualt", "unknown key"),
        (
            ("required = true\n\n[columns.purchase", "\n[columns.purchase"),
            "columns.seller_sku.required",
            "missing or not true/false",
        ),
        (('default = "CNY"', 'fallback = "file_name_date"'), "columns.currency.fallback", "date"),
        (("vendor", "owner = 1\nvendor"), "owner", "unknown key"),
    ],
)
def test_an_invalid_mapping_names_its_file_and_key(tmp_path, change, key, phrase):
    old, new = change
    assert old in VALID
    path = _write(tmp_path, "jijia_sku_costs.toml", VALID.replace(old, new, 1))
    with pytest.raises(ErpMappingError) as caught:
        load_mapping_file(path)
    error = caught.value
    assert error.mapping_file == str(path)
    assert error.key == key
    assert phrase in str(error)
    assert str(path) in str(error) and key in str(error)


def test_a_required_canonical_column_may_not_be_made_optional_without_a_default(tmp_path):
    text = VALID.replace("required = true", "required = false", 1)
    path = _write(tmp_path, "m.toml", text)
    with pytest.raises(ErpMappingError) as caught:
        load_mapping_file(path)
    assert caught.value.key == "columns.seller_sku.required"


def test_a_required_canonical_column_may_not_be_left_out(tmp_path):
    start = VALID.index("[columns.purchase_cost]")
    path = _write(tmp_path, "m.toml", VALID[:start] + VALID[VALID.index("[columns.currency]") :])
    with pytest.raises(ErpMappingError) as caught:
        load_mapping_file(path)
    assert caught.value.key == "columns.purchase_cost"


def test_toml_syntax_errors_name_the_file(tmp_path):
    path = _write(tmp_path, "broken.toml", VALID.replace('vendor = "jijia"', "vendor = jijia"))
    with pytest.raises(ErpMappingError, match="TOML syntax error") as caught:
        load_mapping_file(path)
    assert caught.value.mapping_file == str(path)


def test_aliases_that_differ_only_in_width_or_case_are_duplicates(tmp_path):
    text = VALID.replace('aliases = ["采购成本"]', 'aliases = ["ｓｋｕ编码 "]')
    with pytest.raises(ErpMappingError, match="also an alias of seller_sku"):
        load_mapping_file(_write(tmp_path, "m.toml", text))


def test_mapping_errors_survive_pickling():
    error = ErpMappingError("m.toml", "kind", "unknown kind")
    again = pickle.loads(pickle.dumps(error))
    assert (again.mapping_file, again.key, str(again)) == ("m.toml", "kind", str(error))
