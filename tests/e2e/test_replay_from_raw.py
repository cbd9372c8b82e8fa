"""Replay: the marts rebuild from the landed raw files alone, with the API unreachable."""

from __future__ import annotations

import pytest

from tests.e2e.test_refresh_matches_ground_truth import kpi_by_shop_day

pytestmark = pytest.mark.e2e


def test_marts_replay_from_landed_raw_files_without_calling_the_api(
    loaded_warehouse, tmp_path, monkeypatch
):
    """Only the raw files are copied to a fresh home, and the API is made unreachable: the
    rebuild job must produce exactly the same marts."""
    import shutil
    import socket

    from dagster import DagsterInstance

    from linkstar_pipeline.definitions import defs
    from linkstar_pipeline.defs.refresh.jobs import REBUILD_JOB_NAME

    home, _, _, dagster_home = loaded_warehouse
    replay_home = tmp_path / "replay"
    shutil.copytree(home / "raw", replay_home / "raw")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    monkeypatch.setenv("LINKSTAR_HOME", str(replay_home))
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
    monkeypatch.setenv("TIKTOK_SHOP_BASE_URL", dead_url)

    result = defs.resolve_job_def(REBUILD_JOB_NAME).execute_in_process(
        instance=DagsterInstance.get(), raise_on_error=False
    )

    assert result.success
    materialized = {
        event.asset_key.to_user_string() for event in result.get_asset_materialization_events()
    }
    assert "marts/kpi_shop_daily" in materialized
    assert not any(key.startswith("tiktok_shop/") for key in materialized)
    assert kpi_by_shop_day(replay_home) == kpi_by_shop_day(home)
