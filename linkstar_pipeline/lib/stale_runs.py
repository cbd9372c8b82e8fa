"""Runs a killed process left behind: marked failed, their `warehouse` pool slots freed.

An in-process run (`linkstar run`, `linkstar rebuild`) killed with SIGKILL never reports its
end: the instance keeps it STARTED with its claim on the `warehouse` pool (limit 1), so every
later run waits for a slot nobody will free. Every in-process run is tagged with its host and
process id; before the next one starts, runs of this host whose process is gone are marked
failed and their slots freed, and again every few seconds while it runs: a run already
waiting for the slot when its holder is killed (two runs at once, the first killed) would
otherwise wait forever, since Dagster's in-process executor polls for a slot with no end.
(Runs the daemon launches carry no such tags: Dagster's default run launcher cannot check its
workers' health, so those are ended by hand in the UI.)
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import dagster as dg

WATCH_SECONDS = 5.0
_log = logging.getLogger(__name__)

HOST_TAG = "linkstar/host"
PID_TAG = "linkstar/pid"
_UNFINISHED = [dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING]


def process_tags() -> dict[str, str]:
    """Tags naming the process an in-process run lives in."""
    return {HOST_TAG: socket.gethostname(), PID_TAG: str(os.getpid())}


def release_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark failed every unfinished run of this host whose process is gone, free its pool
    slots, and return their run ids."""
    records = instance.get_run_records(
        filters=dg.RunsFilter(statuses=_UNFINISHED, tags={HOST_TAG: socket.gethostname()})
    )
    released = []
    for record in records:
        run = record.dagster_run
        pid = int(run.tags.get(PID_TAG, "0") or 0)
        if pid <= 0 or pid == os.getpid() or _alive(pid):
            continue
        instance.report_run_failed(
            run,
            message=f"Its process ({pid}) ended without reporting: marked failed by a later run.",
        )
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        released.append(run.run_id)
    return released


@contextmanager
def releasing_dead_runs(
    instance: dg.DagsterInstance,
    on_release: Callable[[str], None],
    every_seconds: float = WATCH_SECONDS,
) -> Iterator[None]:
    """For the block (a run executing in this process): release dead runs every
    `every_seconds`, calling `on_release(run_id)` for each."""
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(every_seconds):
            try:
                released = release_dead_runs(instance)
            except Exception:  # noqa: BLE001 (a busy instance now and then: try again later)
                _log.warning("Could not check for runs killed without finishing", exc_info=True)
                continue
            for run_id in released:
                on_release(run_id)

    thread = threading.Thread(target=watch, name="release-dead-runs", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
