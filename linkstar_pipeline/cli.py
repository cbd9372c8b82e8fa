"""`linkstar`: the pipeline's jobs without the UI.

linkstar run [--start D --end D] [--with-sandbox]   ingest a range of days, rebuild, publish
linkstar sandbox [--port N]                          serve the API emulator alone
linkstar dev                                         sandbox + Dagster UI (workspace.yaml)
linkstar summary                                     print recent GMV and orders per shop
linkstar kpi-dictionary [--check]                    regenerate (or check) the KPI dictionary pages
linkstar kpi-config check [--dir DIR]                validate the KPI configuration files
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from connectors import sandbox_defaults
from linkstar_pipeline.lib.clock import pinned_now, pipeline_today
from linkstar_pipeline.lib.dagster_home import ensure_dagster_home
from linkstar_pipeline.lib.erp_inbox import ErpFolders
from linkstar_pipeline.lib.paths import linkstar_paths

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a YYYY-MM-DD date") from error


@contextlib.contextmanager
def _sandbox(port: int) -> Iterator[str]:
    from sandbox.server import SandboxSettings, running_sandbox

    # A pinned pipeline clock (LINKSTAR_NOW) pins the sandbox's data clock to the same moment,
    # so a replayed night sees the world as it was then.
    with running_sandbox(SandboxSettings(port=port, as_of=pinned_now())) as running:
        os.environ.update(sandbox_defaults.sandbox_environment(running.base_url))
        print(f"Sandbox API serving on {running.base_url}", flush=True)
        _drop_sandbox_erp_exports(running)
        yield running.base_url


def _drop_sandbox_erp_exports(running) -> None:
    """Put the sandbox sellers' ERP exports in the inbox, as a seller would each morning."""
    from sandbox.erp_exports import write_erp_exports

    inbox = ErpFolders.under(linkstar_paths()).inbox
    written = write_erp_exports(running.dataset, inbox, running.as_of())
    print(f"Sandbox ERP exports dropped into {inbox}: {len(written)} files", flush=True)


def _execute(job_name: str, tags: dict[str, str]) -> int:
    """Run a job of `defs` in this process, recorded in the instance the UI reads."""
    from dagster import DagsterInstance

    from linkstar_pipeline.definitions import defs
    from linkstar_pipeline.lib.refresh_run import EXIT_BUILD_FAILED, step_failure_messages
    from linkstar_pipeline.lib.stale_runs import process_tags
    from linkstar_pipeline.lib.summary import run_summary

    paths = linkstar_paths()
    ensure_dagster_home(paths)
    with DagsterInstance.get() as instance:
        _release_dead_runs(instance)
        result = defs.resolve_job_def(job_name).execute_in_process(
            instance=instance,
            tags={**tags, "linkstar/trigger": "cli", **process_tags()},
            run_config=_CONSOLE_INFO,
            raise_on_error=False,
        )
    if not result.success:
        _print_build_failure(job_name, step_failure_messages(result))
        return EXIT_BUILD_FAILED
    print("\n" + run_summary(paths), flush=True)
    return 0


def _release_dead_runs(instance) -> None:
    """Runs a killed `linkstar` left STARTED would hold the warehouse slot forever."""
    from linkstar_pipeline.lib.stale_runs import release_dead_runs

    for run_id in release_dead_runs(instance):
        print(f"Run {run_id} was killed without finishing: marked failed, its slot freed.")


_CONSOLE_INFO = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def _print_build_failure(job_name: str, messages: list[str]) -> None:
    print(
        f"\n{job_name} failed; the previously published marts stay as they were:", file=sys.stderr
    )
    for message in messages or ["see the run log above"]:
        print(f"  {message}", file=sys.stderr)


def _run_refresh(start: date | None, end: date | None) -> int:
    from dagster import DagsterInstance

    from linkstar_pipeline.defs.refresh.jobs import (
        REBUILD_JOB_NAME,
        default_refresh_range,
        partition_range_tags,
    )
    from linkstar_pipeline.lib.alerts import send
    from linkstar_pipeline.lib.refresh_alerts import refresh_alerts
    from linkstar_pipeline.lib.refresh_run import run_refresh
    from linkstar_pipeline.lib.settings import PipelineSettings
    from linkstar_pipeline.lib.source_config import SourceConfigError, source_configuration
    from linkstar_pipeline.lib.summary import run_summary
    from linkstar_pipeline.lib.trust import trust_line

    paths = linkstar_paths()
    today = pipeline_today()
    default_start, default_end = default_refresh_range(
        today, paths.raw_dir, PipelineSettings.from_env()
    )
    start, end = start or default_start, end or default_end
    try:
        partition_range_tags(start, end)  # an end before the start: refused before anything runs
        configuration = source_configuration()  # a half-configured source: likewise
    except SourceConfigError as error:
        for problem in error.problems:
            print(f"linkstar run: {problem}", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"linkstar run: {error}", file=sys.stderr)
        return 2
    print(f"Refreshing {start} .. {end} into {paths.home}", flush=True)
    ensure_dagster_home(paths)
    with DagsterInstance.get() as instance:
        _release_dead_runs(instance)
        outcome = run_refresh(
            instance,
            start,
            end,
            tags={"linkstar/trigger": "cli"},
            run_config=_CONSOLE_INFO,
            configuration=configuration,
        )
    for alert in refresh_alerts(outcome, paths):  # only when LINKSTAR_ALERT_WEBHOOK_URL is set
        send(alert)
    print("\nSources:", flush=True)
    for status in outcome.sources:
        print(f"  {status.line()}", flush=True)
    for status in outcome.failed_sources:  # what failed and why, where errors are read
        print(f"{status.source} failed: {status.detail}", file=sys.stderr)
    if outcome.build is None:
        print(
            "\nEvery API source failed, so nothing new was landed and the marts were not "
            "rebuilt; the published marts stay as they were.",
            file=sys.stderr,
        )
        return outcome.exit_code
    if not outcome.build.success:
        _print_build_failure(REBUILD_JOB_NAME, outcome.build_failures)
        return outcome.exit_code
    print("\n" + run_summary(paths), flush=True)
    print("\n" + trust_line(paths), flush=True)
    if outcome.failed_sources:
        names = ", ".join(s.source for s in outcome.failed_sources)
        print(
            f"\nThe marts were built and published, but {names} failed (see Sources above): "
            "their numbers are from the data landed before this run.",
            file=sys.stderr,
        )
    return outcome.exit_code


def cmd_rebuild(args: argparse.Namespace) -> int:
    from linkstar_pipeline.defs.refresh.jobs import REBUILD_JOB_NAME

    print(f"Rebuilding the marts from the raw files in {linkstar_paths().raw_dir}", flush=True)
    return _execute(REBUILD_JOB_NAME, {})


def cmd_run(args: argparse.Namespace) -> int:
    if args.with_sandbox:
        with _sandbox(port=0):
            return _run_refresh(args.start, args.end)
    return _run_refresh(args.start, args.end)


def cmd_sandbox(args: argparse.Namespace) -> int:
    from sandbox.server import SandboxSettings, serve

    # Nothing falls back to the sandbox: a run in another terminal needs these (public test
    # values, not secrets) to load from it.
    url = f"http://{sandbox_defaults.SANDBOX_HOST}:{args.port}"
    print("Point `linkstar run` in another terminal at this sandbox with:", flush=True)
    for name, value in sandbox_defaults.sandbox_environment(url).items():
        print(f"  export {name}='{value}'", flush=True)
    serve(SandboxSettings(port=args.port, as_of=pinned_now()))
    return 0


def cmd_dev(args: argparse.Namespace) -> int:
    ensure_dagster_home(linkstar_paths())
    dagster = [sys.executable, "-m", "dagster", "dev", "-w", str(PROJECT_ROOT / "workspace.yaml")]
    with _sandbox(port=args.sandbox_port):
        return subprocess.call(dagster, cwd=PROJECT_ROOT)


def cmd_summary(args: argparse.Namespace) -> int:
    from linkstar_pipeline.lib.summary import run_summary

    print(run_summary(linkstar_paths(), days=args.days))
    return 0


def cmd_kpi_dictionary(args: argparse.Namespace) -> int:
    from linkstar_pipeline.lib import kpi_dictionary_docs

    return kpi_dictionary_docs.main(check=args.check)


def cmd_kpi_config_check(args: argparse.Namespace) -> int:
    """Every problem as `file:line (key): rule` and exit 1, or a one-screen summary and 0."""
    from linkstar_pipeline.lib.kpi_config.model import KpiConfigError
    from linkstar_pipeline.lib.kpi_config.summary import config_summary
    from linkstar_pipeline.lib.kpi_config.validate import default_config_dir, validate_config_dir

    config_dir = (args.dir or default_config_dir()).resolve()
    try:
        valid = validate_config_dir(config_dir, linkstar_paths().raw_dir, pipeline_today())
    except KpiConfigError as error:
        print(f"{config_dir}: {len(error.problems)} problem(s); nothing would be loaded.")
        for problem in error.problems:
            print(f"  {problem}")
        return 1
    print(config_summary(valid.config))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="linkstar", description="LinkStar data warehouse pipeline"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="ingest a range of days, rebuild the marts, publish them")
    run.add_argument("--start", type=_day, help="first UTC day to (re)load (default: recent days)")
    run.add_argument("--end", type=_day, help="last UTC day to (re)load (default: today)")
    run.add_argument(
        "--with-sandbox", action="store_true", help="start the API sandbox and load from it"
    )
    run.set_defaults(handler=cmd_run)

    rebuild = commands.add_parser(
        "rebuild", help="rebuild and publish the marts from landed raw files, calling no API"
    )
    rebuild.set_defaults(handler=cmd_rebuild)

    sandbox = commands.add_parser("sandbox", help="serve the API sandbox until interrupted")
    sandbox.add_argument("--port", type=int, default=sandbox_defaults.SANDBOX_PORT)
    sandbox.set_defaults(handler=cmd_sandbox)

    dev = commands.add_parser("dev", help="the Dagster UI with the sandbox running")
    dev.add_argument("--sandbox-port", type=int, default=sandbox_defaults.SANDBOX_PORT)
    dev.set_defaults(handler=cmd_dev)

    summary = commands.add_parser("summary", help="print recent GMV and orders per shop")
    summary.add_argument("--days", type=int, default=7)
    summary.set_defaults(handler=cmd_summary)

    kpi_dictionary = commands.add_parser(
        "kpi-dictionary",
        help="write docs/kpi_dictionary.md and the dbt docs blocks from dbt_project/kpis/*.yml",
    )
    kpi_dictionary.add_argument(
        "--check", action="store_true", help="only report stale pages and untagged KPIs"
    )
    kpi_dictionary.set_defaults(handler=cmd_kpi_dictionary)

    kpi_config = commands.add_parser("kpi-config", help="the KPI-management configuration")
    kpi_config_commands = kpi_config.add_subparsers(dest="kpi_config_command", required=True)
    check = kpi_config_commands.add_parser(
        "check", help="validate kpi_config/ (organisation, KPI sets, targets, incentives)"
    )
    check.add_argument(
        "--dir",
        type=Path,
        help="config directory (default: $LINKSTAR_KPI_CONFIG_DIR or ./kpi_config)",
    )
    check.set_defaults(handler=cmd_kpi_config_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
