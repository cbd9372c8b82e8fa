"""The `linkstar` command as a user runs it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest


def _linkstar(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    bin_dir = os.path.dirname(sys.executable)
    return subprocess.run(
        [f"{bin_dir}/linkstar", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.e2e
def test_run_with_sandbox_builds_and_publishes_the_marts_when_one_endpoint_fails(linkstar_home):
    """The quickstart's command, with one endpoint renamed (what a moved API path looks like:
    404, code 40004): that source's line says failed and why, every other source loads, the
    marts are still built and published with the summary, and the exit code is 1."""
    env = dict(
        os.environ,
        LINKSTAR_INITIAL_HISTORY_DAYS="1",
        TIKTOK_SHOP_PATH_AFFILIATE_ORDERS="/affiliate_seller/202410/orders/search_renamed",
    )
    for name in [
        "TIKTOK_SHOP_BASE_URL",
        "TIKTOK_SHOP_APP_KEY",
        "TIKTOK_SHOP_APP_SECRET",
        "TIKTOK_SHOP_ACCESS_TOKEN",
    ]:
        env.pop(name, None)
    result = _linkstar("run", "--with-sandbox", env=env)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    sources = result.stdout.split("Sources:", 1)[1].split("\n\n", 1)[0].strip().splitlines()
    lines = {line.strip().split("  ")[0]: line for line in sources}
    assert "failed" in lines["TikTok Shop"] and "affiliate_orders" in lines["TikTok Shop"]
    assert "40004" in lines["TikTok Shop"]
    for other in ("TikTok Ads", "ERP files", "ERP API", "FX rates (ECB)", "KPI config"):
        assert " loaded" in lines[other], lines[other]
    assert "affiliate_orders" in result.stderr and "built and published" in result.stderr
    assert "GMV and orders per shop" in result.stdout
    # One line on how far the numbers can be trusted (marts.recon_daily, marts.data_freshness).
    assert "Trust: " in result.stdout and "reconciliation checks ok" in result.stdout
    # The example kpi_config/ scores every team of the sandbox seller.
    assert "KPI scorecards" in result.stdout and "us_core" in result.stdout
    assert str(linkstar_home / "warehouse.duckdb") in result.stdout
    assert "make dev" in result.stdout
    assert (linkstar_home / "serving" / "kpi_shop_daily.parquet").exists()
    assert "linkstar-sandbox-secret" not in result.stdout + result.stderr


def test_an_unreachable_api_names_the_url_and_how_to_fix_it(linkstar_home):
    url = f"http://127.0.0.1:{_free_port()}"
    env = dict(
        os.environ,
        TIKTOK_SHOP_BASE_URL=url,
        TIKTOK_SHOP_APP_KEY="k",
        TIKTOK_SHOP_APP_SECRET="do-not-print-me",
        TIKTOK_SHOP_ACCESS_TOKEN="nor-me",
        FX_ECB_BASE_URL=f"{url}/stats/eurofxref",
        LINKSTAR_API_MAX_ATTEMPTS="2",  # the message is the point, not the full back-off
    )
    for name in [n for n in env if n.startswith(("TIKTOK_ADS_", "ERP_API_"))]:
        del env[name]  # not configured: left out, one line each, never the sandbox's port
    result = _linkstar("run", "--start", "2026-11-01", "--end", "2026-11-01", env=env)
    assert result.returncode == 1
    assert (
        f"tiktok_shop failed: shops: TikTokShopUnreachableError: The TikTok Shop API at {url}"
        in (result.stderr)
    )
    assert "the marts were not rebuilt" in result.stderr  # every API failed: nothing to build
    assert "TikTok Ads       not configured: TikTok Ads is not configured" in result.stdout
    assert "ERP API          not configured" in result.stdout
    assert "8910" not in result.stdout + result.stderr  # no sandbox fallback
    assert "linkstar sandbox" in result.stderr and "TIKTOK_SHOP_BASE_URL" in result.stderr
    assert "do-not-print-me" not in result.stdout + result.stderr
    assert "nor-me" not in result.stdout + result.stderr


def test_a_bad_date_is_refused_before_anything_runs(linkstar_home):
    result = _linkstar("run", "--start", "2026-13-01", env=dict(os.environ))
    assert result.returncode == 2
    assert "not a YYYY-MM-DD date" in result.stderr


def test_an_end_before_the_start_is_one_line_and_exit_2(linkstar_home):
    result = _linkstar("run", "--start", "2026-12-05", "--end", "2026-12-01", env=dict(os.environ))
    assert result.returncode == 2
    assert result.stderr.strip() == "linkstar run: --end 2026-12-01 is before --start 2026-12-05"


def test_a_half_configured_source_stops_the_run_before_anything_runs(linkstar_home):
    env = dict(os.environ, TIKTOK_SHOP_BASE_URL="https://proxy.example.com")
    for name in ["TIKTOK_SHOP_APP_KEY", "TIKTOK_SHOP_APP_SECRET", "TIKTOK_SHOP_ACCESS_TOKEN"]:
        env.pop(name, None)
    result = _linkstar("run", env=env)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("linkstar run: TikTok Shop credentials are incomplete")
    for name in ["TIKTOK_SHOP_APP_KEY", "TIKTOK_SHOP_APP_SECRET", "TIKTOK_SHOP_ACCESS_TOKEN"]:
        assert name in line
    assert not (linkstar_home / "raw").exists()
