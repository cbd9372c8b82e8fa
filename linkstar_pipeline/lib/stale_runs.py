"""Runs a killed process left behind: marked failed, their `warehouse` pool slots freed.

An in-process run (`linkstar run`, `linkstar rebuild`) killed with SIGKILL never reports its
end: the instance keeps it STARTED with its claim on the `warehouse` pool (limit 1), so every
later run waits for a slot nobody will free. Every in-process run is tagged with its host and
process id; before the next one starts, runs of this host whose process is gone are marked
failed and their slots freed. (Runs the daemon launches carry no such tags: Dagster's default
run launcher cannot check its workers' health, so those are ended by hand in the UI.)
"""

from __future__ import annotations

import os
import socket

import dagster as dg

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


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
