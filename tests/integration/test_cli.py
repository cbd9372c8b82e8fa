"""The `linkstar` command as a user runs it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest


def _linkstar(*args: str, env: dict[str, str], cwd=None) -> subprocess.CompletedProcess:
    bin_dir = os.path.dirname(sys.executable)
    return subprocess.run(
        [f"{bin_dir}/linkstar", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        # A hang guard only (a full run took over 400 s at a load average of 14); pytest's own
        # timeout (pyproject.toml) stays the outer one.
        timeout=1000,
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
        # Three days: the newest day finished in every shop and the day before it (what the
        # report compares it with) are both in the loaded history, which the marts start at.
        LINKSTAR_INITIAL_HISTORY_DAYS="3",
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
    assert "and orders of all shops per local day" in result.stdout
    # One line on how far the numbers can be trusted (marts.recon_daily, marts.data_freshness).
    assert "Trust: " in result.stdout and "reconciliation checks ok" in result.stdout
    # The example kpi_config/ scores every team of the sandbox seller.
    assert "KPI scorecards" in result.stdout and "us_core" in result.stdout
    assert str(linkstar_home / "warehouse.duckdb") in result.stdout
    report = result.stdout.split("Newest daily report (open it in a browser): ", 1)[1].split("\n")[
        0
    ]
    assert report == str(linkstar_home / "reports" / f"{report.rsplit('/', 1)[1]}")
    assert os.path.isfile(report) and report.endswith("-global-en.html")
    assert "make dev" in result.stdout
    assert (linkstar_home / "serving" / "kpi_shop_daily.parquet").exists()
    assert "linkstar-sandbox-secret" not in result.stdout + result.stderr
    # Concise: a line per step, not Dagster's event log nor dbt's ~1,000 lines, which go to
    # the file the run names.
    (dbt_log,) = (linkstar_home / "logs").glob("dbt_build-*.log")  # one build, one log
    assert f"Full dbt log: {dbt_log}" in result.stdout
    assert "Completed with" in dbt_log.read_text() or "Done. PASS=" in dbt_log.read_text()
    assert " - dagster - " not in result.stdout + result.stderr
    assert " START sql " not in result.stdout and "Traceback" not in result.stderr
    assert "  done     linkstar_dbt_models (" in result.stdout
    assert "  FAILED   tiktok_shop__affiliate_orders: " in result.stdout
    progress = result.stdout.split("Sources:", 1)[0].splitlines()
    assert len(progress) < 80, len(progress)


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


PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _one_line_error(result: subprocess.CompletedProcess) -> str:
    """An expected failure: one line on stderr naming the command, never a traceback."""
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    (line,) = result.stderr.strip().splitlines()
    return line


@pytest.mark.parametrize("command", ["summary", "report"])
def test_reading_the_marts_before_any_run_is_one_line_and_creates_nothing(
    linkstar_home, tmp_path, command
):
    elsewhere = tmp_path / "some_folder"
    elsewhere.mkdir()
    result = _linkstar(command, env=dict(os.environ), cwd=elsewhere)
    assert result.returncode == 1
    line = _one_line_error(result)
    assert line.startswith(f"linkstar {command}: nothing is published in ")
    assert "linkstar run" in line  # what to do
    assert not linkstar_home.exists()
    assert list(elsewhere.iterdir()) == []


def test_a_relative_linkstar_home_is_the_same_folder_from_anywhere(tmp_path):
    """The rule (README): a relative LINKSTAR_HOME is taken from the project folder."""
    env = dict(os.environ, LINKSTAR_HOME="not_a_real_home_i19")
    named = set()
    for folder in (tmp_path, tmp_path.parent):
        result = _linkstar("summary", env=env, cwd=folder)
        named.add(_one_line_error(result).split(" yet;")[0])
    expected = os.path.join(PROJECT_ROOT, "not_a_real_home_i19", "serving")
    assert named == {f"linkstar summary: nothing is published in {expected}"}
    assert not os.path.exists(os.path.join(PROJECT_ROOT, "not_a_real_home_i19"))


def test_a_start_before_the_first_partition_says_which_variable_to_move(linkstar_home):
    env = dict(os.environ, LINKSTAR_PARTITIONS_START="2026-11-01")
    result = _linkstar("run", "--start", "2026-10-01", "--end", "2026-10-02", env=env)
    assert result.returncode == 2
    assert _one_line_error(result) == (
        "linkstar run: --start 2026-10-01 is before the first daily partition, 2026-11-01; "
        "set LINKSTAR_PARTITIONS_START=2026-10-01 to load older days"
    )
    assert not linkstar_home.exists()


def test_an_unusable_setting_is_one_line_and_the_traceback_only_with_verbose(linkstar_home):
    env = dict(os.environ, LINKSTAR_NOW="yesterday")
    result = _linkstar("run", env=env)
    assert result.returncode == 2
    line = _one_line_error(result)
    assert line.startswith("linkstar run: LINKSTAR_NOW='yesterday' is not an ISO 8601 moment")
    verbose = _linkstar("run", "--verbose", env=env)
    assert verbose.returncode == 2
    assert "Traceback" in verbose.stderr and verbose.stderr.strip().endswith(line)


def test_kpi_dictionary_check_says_what_it_checked():
    result = _linkstar("kpi-dictionary", "--check", env=dict(os.environ))
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.strip().splitlines()
    assert line.startswith("KPI dictionary OK: ")
    assert "docs/kpi_dictionary.md" in line and "current" in line


def test_the_sandbox_drops_its_sample_erp_exports_once_per_home(linkstar_home, capsys):
    """`make dev` restarted must not refill the inbox: the sensor would import and rebuild on
    every start. Once imported (the files leave the inbox), a restart drops nothing."""
    from linkstar_pipeline import cli
    from linkstar_pipeline.lib.erp_inbox import ErpFolders
    from linkstar_pipeline.lib.paths import linkstar_paths
    from tests.conftest import sandbox_running

    inbox = ErpFolders.under(linkstar_paths()).inbox
    with sandbox_running() as running:
        cli._drop_sandbox_erp_exports(running)
        dropped = sorted(inbox.iterdir())
        assert dropped
        for path in dropped:
            path.unlink()  # what the import does: the inbox is empty again
        cli._drop_sandbox_erp_exports(running)
    assert list(inbox.iterdir()) == []
    assert "were dropped before" in capsys.readouterr().out


def test_a_run_with_nothing_configured_is_a_short_report_without_tracebacks(linkstar_home):
    """No sandbox, no credentials, the ECB unreachable: one progress line per step, one line
    per source, what failed and why, and no Dagster event log or traceback."""
    env = dict(os.environ, LINKSTAR_API_MAX_ATTEMPTS="2")
    for name in [n for n in env if n.startswith(("TIKTOK_SHOP_", "TIKTOK_ADS_", "ERP_API_"))]:
        del env[name]
    result = _linkstar("run", "--start", "2026-11-19", "--end", "2026-11-20", env=env)
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "Traceback" not in output and " - dagster - " not in output
    assert len(output.strip().splitlines()) < 25, output
    assert "FAILED   fx__ecb_history: EcbFxError: ECB FX " in result.stdout
    for source in ("TikTok Shop", "TikTok Ads", "ERP API"):
        (line,) = [line for line in result.stdout.splitlines() if line.strip().startswith(source)]
        assert "not configured" in line
    assert "the marts were not rebuilt" in result.stderr
