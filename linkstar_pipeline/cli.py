"""`linkstar`: the pipeline's jobs without the UI.

linkstar run [--start D --end D] [--with-sandbox]   ingest a range of days, rebuild, publish
linkstar sandbox [--port N]                          serve the API emulator alone
linkstar dev [--port N]                              sandbox + Dagster UI (workspace.yaml)
linkstar summary [--days N]                          print GMV and orders per day and per scope
linkstar report [--day D | --week W] [--scope S]     write a daily/weekly HTML report, print its path
linkstar kpi-dictionary [--check]                    regenerate (or check) the KPI dictionary pages
linkstar kpi-config check [--dir DIR]                validate the KPI configuration files

An expected failure (a bad setting, nothing published yet, a port in use...) is one or two
lines on stderr: what failed, why, what to do; `--verbose` adds the traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from connectors import sandbox_defaults
from linkstar_pipeline.lib.clock import pinned_now, pipeline_today
from linkstar_pipeline.lib.dagster_home import ensure_dagster_home
from linkstar_pipeline.lib.erp_inbox import ErpFolders
from linkstar_pipeline.lib.paths import (
    PROJECT_ROOT,
    LinkstarPaths,
    export_linkstar_home,
    linkstar_paths,
)
from linkstar_pipeline.lib.progress_log import build_report, cli_run_config

# Written beside the inbox once the sandbox's sample ERP exports were dropped (see below).
SAMPLE_EXPORTS_MARKER = ".sandbox_erp_exports_dropped"


class CommandError(Exception):
    """An expected failure of a command: printed as `linkstar <command>: <message>`."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


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
    """Put the sandbox sellers' ERP exports in the inbox once per LINKSTAR_HOME: dropping them
    on every start would make the inbox sensor launch an import and a rebuild every time."""
    from sandbox.erp_exports import write_erp_exports

    folders = ErpFolders.under(linkstar_paths())
    marker = folders.inbox.parent / SAMPLE_EXPORTS_MARKER
    if marker.exists():
        print(f"Sandbox ERP exports were dropped before (delete {marker} to drop them again)")
        return
    written = write_erp_exports(running.dataset, folders.inbox, running.as_of())
    marker.write_text(f"{len(written)} files\n", encoding="utf-8")
    print(f"Sandbox ERP exports dropped into {folders.inbox}: {len(written)} files", flush=True)


def _execute(job_name: str, tags: dict[str, str], verbose: bool) -> int:
    """Run a job of `defs` in this process, recorded in the instance the UI reads."""
    from dagster import DagsterInstance

    from linkstar_pipeline.definitions import defs
    from linkstar_pipeline.lib.refresh_run import EXIT_BUILD_FAILED, step_failure_messages
    from linkstar_pipeline.lib.stale_runs import process_tags
    from linkstar_pipeline.lib.summary import run_summary

    paths = linkstar_paths()
    ensure_dagster_home(paths)
    with DagsterInstance.get() as instance, _dead_runs_released(instance):
        result = defs.resolve_job_def(job_name).execute_in_process(
            instance=instance,
            tags={**tags, "linkstar/trigger": "cli", **process_tags()},
            run_config=cli_run_config(verbose),
            raise_on_error=False,
        )
    print("\n" + build_report(result, paths.dbt_build_log(result.run_id)), flush=True)
    if not result.success:
        _print_build_failure(job_name, step_failure_messages(result))
        return EXIT_BUILD_FAILED
    print("\n" + run_summary(paths), flush=True)
    return 0


@contextlib.contextmanager
def _dead_runs_released(instance) -> Iterator[None]:
    """Runs a killed `linkstar` left STARTED would hold the warehouse slot forever: released
    before this run starts, and while it runs (it may be waiting for the slot of one killed
    after it started)."""
    from linkstar_pipeline.lib.stale_runs import release_dead_runs, releasing_dead_runs

    console = sys.stdout  # the dbt step redirects sys.stdout while it runs

    def say(run_id: str) -> None:
        message = f"Run {run_id} was killed without finishing: marked failed, its slot freed."
        print(message, file=console, flush=True)

    for run_id in release_dead_runs(instance):
        say(run_id)
    with releasing_dead_runs(instance, say):
        yield


def _newest_daily_report(paths: LinkstarPaths) -> str:
    """Write the whole seller's report of the newest published day; say where, or why not."""
    from linkstar_pipeline.lib.reports import (
        ReportError,
        ReportRequest,
        Scope,
        default_language,
        write_report,
    )

    request = ReportRequest("daily", Scope("seller", "ALL"), default_language())
    try:
        return f"Newest daily report (open it in a browser): {write_report(paths, request)}"
    except ReportError as error:
        return f"No daily report yet: {error}"


def _print_build_failure(job_name: str, messages: list[str]) -> None:
    print(
        f"\n{job_name} failed; the previously published marts stay as they were:", file=sys.stderr
    )
    for message in messages or ["see the run log above"]:
        print(f"  {message}", file=sys.stderr)


def _run_refresh(start: date | None, end: date | None, verbose: bool) -> int:
    from dagster import DagsterInstance

    from linkstar_pipeline.defs.refresh.jobs import (
        REBUILD_JOB_NAME,
        default_refresh_range,
        partition_range_tags,
    )
    from linkstar_pipeline.lib.alerts import send
    from linkstar_pipeline.lib.refresh_alerts import refresh_alerts
    from linkstar_pipeline.lib.refresh_run import run_refresh
    from linkstar_pipeline.lib.settings import PARTITIONS_START_VARIABLE, PipelineSettings
    from linkstar_pipeline.lib.source_config import SourceConfigError, source_configuration
    from linkstar_pipeline.lib.summary import run_summary
    from linkstar_pipeline.lib.trust import trust_line

    settings = PipelineSettings.from_env()
    raw_dir = LinkstarPaths(home=export_linkstar_home()).raw_dir  # nothing created yet
    default_start, default_end = default_refresh_range(pipeline_today(), raw_dir, settings)
    start, end = start or default_start, end or default_end
    try:
        partition_range_tags(start, end)  # an end before the start: refused before anything runs
        configuration = source_configuration()  # a half-configured source: likewise
    except SourceConfigError as error:
        for problem in error.problems:
            print(f"linkstar run: {problem}", file=sys.stderr)
        return 2
    except ValueError as error:
        raise CommandError(str(error), exit_code=2) from error
    if start.isoformat() < settings.partitions_start:
        raise CommandError(
            f"--start {start} is before the first daily partition, {settings.partitions_start}; "
            f"set {PARTITIONS_START_VARIABLE}={start} to load older days",
            exit_code=2,
        )
    paths = linkstar_paths()
    print(f"Refreshing {start} .. {end} into {paths.home}", flush=True)
    ensure_dagster_home(paths)
    with DagsterInstance.get() as instance, _dead_runs_released(instance):
        outcome = run_refresh(
            instance,
            start,
            end,
            tags={"linkstar/trigger": "cli"},
            run_config=cli_run_config(verbose),
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
    build_log = paths.dbt_build_log(outcome.build.run_id)
    print("\n" + build_report(outcome.build, build_log), flush=True)
    if not outcome.build.success:
        _print_build_failure(REBUILD_JOB_NAME, outcome.build_failures)
        return outcome.exit_code
    print("\n" + run_summary(paths), flush=True)
    print("\n" + trust_line(paths), flush=True)
    _print_postgres_publish(outcome.build)
    print(_newest_daily_report(paths), flush=True)
    if outcome.failed_sources:
        names = ", ".join(s.source for s in outcome.failed_sources)
        print(
            f"\nThe marts were built and published, but {names} failed (see Sources above): "
            "their numbers are from the data landed before this run.",
            file=sys.stderr,
        )
    return outcome.exit_code


def _print_postgres_publish(build) -> None:
    """One line on the PostgreSQL publish, when LINKSTAR_POSTGRES_URL made one (a failure is
    a failed check, not a failed build: the DuckDB and Parquet publish went through)."""
    from linkstar_pipeline.lib.postgres_serving import POSTGRES_CHECK

    for check in build.get_asset_check_evaluations():
        if check.check_name != POSTGRES_CHECK:
            continue
        target = check.metadata["target"].value
        if check.passed:
            print(f"\nPostgreSQL: published to {target} with the organisation's roles.")
        else:
            print(f"\nPostgreSQL: {check.description}", file=sys.stderr)


def cmd_rebuild(args: argparse.Namespace) -> int:
    from linkstar_pipeline.defs.refresh.jobs import REBUILD_JOB_NAME

    print(f"Rebuilding the marts from the raw files in {linkstar_paths().raw_dir}", flush=True)
    return _execute(REBUILD_JOB_NAME, {}, args.verbose)


def cmd_run(args: argparse.Namespace) -> int:
    if args.with_sandbox:
        with _sandbox(port=0):
            return _run_refresh(args.start, args.end, args.verbose)
    return _run_refresh(args.start, args.end, args.verbose)


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
    workspace = str(PROJECT_ROOT / "workspace.yaml")
    # `dagster dev` warns on every start that `dg dev` (the separate dagster-dg-cli package)
    # supersedes it; both run the same webserver and daemon, and a warning a user can do
    # nothing about is noise, so this one message (and no other warning) is silenced.
    quiet = ["-W", "ignore:Function `dev_command` is superseded"]
    dagster = [sys.executable, *quiet, "-m", "dagster", "dev", "-w", workspace]
    dagster += ["-p", str(args.port)]
    with _sandbox(port=args.sandbox_port):
        print(f"Dagster UI: http://127.0.0.1:{args.port}", flush=True)
        return subprocess.call(dagster, cwd=PROJECT_ROOT)


def cmd_summary(args: argparse.Namespace) -> int:
    from linkstar_pipeline.lib.summary import run_summary

    paths = LinkstarPaths(home=export_linkstar_home())  # reading creates nothing
    if not paths.serving_database.exists():
        raise CommandError(
            f"nothing is published in {paths.serving_dir} yet; "
            "run `linkstar run --with-sandbox` (or `make run`) first"
        )
    print(run_summary(paths, days=args.days))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from linkstar_pipeline.lib.reports import (
        ReportError,
        ReportRequest,
        Scope,
        default_language,
        week_start,
        write_report,
    )

    paths = LinkstarPaths(home=export_linkstar_home())
    try:
        request = ReportRequest(
            kind="weekly" if args.week else "daily",
            scope=Scope.parse(args.scope),
            language=args.lang or default_language(),
            period_start=week_start(args.week) if args.week else args.day,
        )
        print(write_report(paths, request))
    except ReportError as error:
        raise CommandError(str(error)) from error
    return 0


def cmd_kpi_dictionary(args: argparse.Namespace) -> int:
    from linkstar_pipeline.lib import kpi_dictionary_docs

    return kpi_dictionary_docs.main(check=args.check)


def cmd_kpi_config_check(args: argparse.Namespace) -> int:
    """Every problem as `file:line (key): rule` and exit 1, or a one-screen summary and 0."""
    from linkstar_pipeline.lib.kpi_config.model import KpiConfigError
    from linkstar_pipeline.lib.kpi_config.summary import config_summary
    from linkstar_pipeline.lib.kpi_config.validate import default_config_dir, validate_config_dir

    config_dir = args.dir.resolve() if args.dir else default_config_dir()
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
    verbosity = argparse.ArgumentParser(add_help=False)
    verbosity.add_argument(
        "--verbose", "-v", action="store_true", help="tracebacks and Dagster's full log"
    )
    parser = argparse.ArgumentParser(
        prog="linkstar", description="LinkStar data warehouse pipeline", parents=[verbosity]
    )
    commands = _Commands(parser.add_subparsers(dest="command", required=True), verbosity)

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
    dev.add_argument("--port", type=int, default=3000, help="the Dagster UI's port")
    dev.add_argument("--sandbox-port", type=int, default=sandbox_defaults.SANDBOX_PORT)
    dev.set_defaults(handler=cmd_dev)

    summary = commands.add_parser(
        "summary", help="print GMV (reporting currency) and orders per day and per scope"
    )
    summary.add_argument("--days", type=int, default=7)
    summary.set_defaults(handler=cmd_summary)

    report = commands.add_parser(
        "report", help="write a daily or weekly HTML report under $LINKSTAR_HOME/reports/"
    )
    period = report.add_mutually_exclusive_group()
    period.add_argument("--day", type=_day, help="the shop-local day (default: newest published)")
    period.add_argument("--week", help="ISO week, 2026-W46, or a date in it (a weekly report)")
    report.add_argument(
        "--scope",
        default="global",
        help="global (default), region:<region id of organisation.yml, e.g. sea>, market:<market> or shop:<shop id>",
    )
    report.add_argument(
        "--lang", choices=("en", "zh"), help="language (default: $LINKSTAR_REPORT_LANGUAGE or en)"
    )
    report.set_defaults(handler=cmd_report)

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


class _Commands:
    """Subcommands that all take --verbose, before or after the command's name."""

    def __init__(self, subparsers, verbosity: argparse.ArgumentParser) -> None:
        self.subparsers, self.verbosity = subparsers, verbosity

    def add_parser(self, name: str, **kwargs) -> argparse.ArgumentParser:
        return self.subparsers.add_parser(name, parents=[self.verbosity], **kwargs)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print(f"linkstar {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 (the top level: every failure is one line)
        if args.verbose:
            traceback.print_exc()
        print(_one_line(args.command, error), file=sys.stderr)
        return _exit_code(error)


def _exit_code(error: Exception) -> int:
    """2 when nothing ran because a setting is unusable (like a wrong command line), else 1."""
    from linkstar_pipeline.lib.alerts import AlertSettingsError
    from linkstar_pipeline.lib.clock import ClockSettingError
    from linkstar_pipeline.lib.settings import SettingsError

    if isinstance(error, CommandError):
        return error.exit_code
    return 2 if isinstance(error, SettingsError | ClockSettingError | AlertSettingsError) else 1


def _one_line(command: str, error: Exception) -> str:
    """`linkstar <command>: <what failed and why>`; an unexpected error also says how to see more."""
    message = " ".join(str(error).split()) or type(error).__name__
    if isinstance(error, CommandError | ValueError | OSError):
        return f"linkstar {command}: {message}"
    return f"linkstar {command}: {type(error).__name__}: {message} (--verbose shows the traceback)"


if __name__ == "__main__":
    sys.exit(main())
