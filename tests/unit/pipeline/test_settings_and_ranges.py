from datetime import date

import pytest

from linkstar_pipeline.defs.refresh.jobs import default_refresh_range, partition_range_tags
from linkstar_pipeline.lib.raw_landing import raw_file_path
from linkstar_pipeline.lib.settings import PipelineSettings, SettingsError


def _settings(**overrides) -> PipelineSettings:
    values = {
        "partitions_start": "2025-01-01",
        "lookback_days": 3,
        "initial_history_days": 30,
        "nightly_cron": "0 2 * * *",
        "nightly_timezone": "UTC",
        "api_max_attempts": 6,
    }
    values.update(overrides)
    return PipelineSettings(**values)


def test_first_run_loads_the_initial_history_then_only_the_lookback(tmp_path):
    today = date(2026, 11, 20)
    assert default_refresh_range(today, tmp_path, _settings()) == (date(2026, 10, 22), today)
    shops = raw_file_path(tmp_path, "tiktok_shop", "shops", "shops")
    shops.parent.mkdir(parents=True)
    shops.write_bytes(b"")
    assert default_refresh_range(today, tmp_path, _settings()) == (date(2026, 11, 17), today)


def test_the_range_never_starts_before_the_first_partition(tmp_path):
    start, _ = default_refresh_range(date(2025, 1, 3), tmp_path, _settings())
    assert start == date(2025, 1, 1)


def test_a_reversed_range_is_refused():
    with pytest.raises(ValueError, match="before"):
        partition_range_tags(date(2026, 11, 2), date(2026, 11, 1))


def test_bad_numbers_in_the_environment_name_the_variable(monkeypatch):
    monkeypatch.setenv("LINKSTAR_LOOKBACK_DAYS", "three")
    with pytest.raises(SettingsError, match="LINKSTAR_LOOKBACK_DAYS='three'"):
        PipelineSettings.from_env()
    monkeypatch.setenv("LINKSTAR_LOOKBACK_DAYS", "-1")
    with pytest.raises(SettingsError, match="at least 0"):
        PipelineSettings.from_env()


def test_every_api_resource_takes_its_tries_from_one_setting(monkeypatch):
    from linkstar_pipeline.defs.erp.api_resources import resources as erp_api_resources
    from linkstar_pipeline.defs.fx.resources import resources as fx_resources
    from linkstar_pipeline.defs.tiktok_ads.resources import resources as ads_resources
    from linkstar_pipeline.defs.tiktok_shop.resources import resources as shop_resources

    monkeypatch.setenv("LINKSTAR_API_MAX_ATTEMPTS", "2")
    for definitions in (shop_resources, ads_resources, fx_resources, erp_api_resources):
        (resource,) = definitions().resources.values()
        assert resource.max_attempts == 2
    monkeypatch.setenv("LINKSTAR_API_MAX_ATTEMPTS", "0")
    with pytest.raises(SettingsError, match="LINKSTAR_API_MAX_ATTEMPTS=0 must be at least 1"):
        PipelineSettings.from_env()


def test_partitions_start_where_the_first_run_starts_its_history(tmp_path, monkeypatch):
    """Not months of "missing" partitions before the seller's history: by default the first
    partition is the first day the first run loads (the sandbox's history start too)."""
    monkeypatch.delenv("LINKSTAR_PARTITIONS_START", raising=False)
    monkeypatch.setenv("LINKSTAR_NOW", "2026-11-20T12:00:00Z")
    monkeypatch.setenv("LINKSTAR_INITIAL_HISTORY_DAYS", "14")
    settings = PipelineSettings.from_env()
    first_day, _ = default_refresh_range(date(2026, 11, 20), tmp_path, settings)
    assert settings.partitions_start == first_day.isoformat() == "2026-11-07"
    monkeypatch.setenv("LINKSTAR_PARTITIONS_START", "2025-06-01")  # a seller with older history
    assert PipelineSettings.from_env().partitions_start == "2025-06-01"


def test_a_partitions_start_that_is_no_date_names_the_variable(monkeypatch):
    monkeypatch.setenv("LINKSTAR_PARTITIONS_START", "June")
    with pytest.raises(SettingsError, match="LINKSTAR_PARTITIONS_START='June'"):
        PipelineSettings.from_env()
