"""After a kill -9, the next run proceeds alone (issue 16, item 1): the killed run's STARTED
record and its `warehouse` pool slot are released, and a dbt build it left running is stopped.
Real processes, a real Dagster instance on disk."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg

from linkstar_pipeline.lib.orphaned_build import note_build, pid_file, stop_orphaned_build
from linkstar_pipeline.lib.paths import LinkstarPaths
from linkstar_pipeline.lib.stale_runs import (
    HOST_TAG,
    PID_TAG,
    process_tags,
    release_dead_runs,
    releasing_dead_runs,
)

POOL = "warehouse"


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()  # ended and reaped: the pid names no process now
    return process.pid


@dg.op
def build():
    pass


@dg.job
def rebuild_from_raw():
    build()


def _started_run(instance: dg.DagsterInstance, tags: dict[str, str]) -> str:
    run = instance.create_run_for_job(rebuild_from_raw, tags=tags)
    instance.handle_new_event(
        dg.EventLogEntry(
            error_info=None,
            level="DEBUG",
            user_message="",
            run_id=run.run_id,
            timestamp=0.0,
            dagster_event=dg.DagsterEvent(
                event_type_value=dg.DagsterEventType.RUN_START.value, job_name=run.job_name
            ),
        )
    )
    return run.run_id


def _claim(instance: dg.DagsterInstance, run_id: str) -> bool:
    return instance.event_log_storage.claim_concurrency_slot(POOL, run_id, "build").is_claimed


def test_a_killed_runs_record_and_pool_slot_are_released(tmp_path):
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        instance.event_log_storage.set_concurrency_slots(POOL, 1)  # as dagster.yaml sets it
        host = process_tags()[HOST_TAG]
        killed = _started_run(instance, {HOST_TAG: host, PID_TAG: str(_dead_pid())})
        assert _claim(instance, killed)  # it held the warehouse when it was killed
        sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        try:
            alive = _started_run(instance, {HOST_TAG: host, PID_TAG: str(sleeper.pid)})
            elsewhere = _started_run(instance, {HOST_TAG: "another-host", PID_TAG: "1"})
            nxt = _started_run(instance, process_tags())  # this process: the next run
            assert not _claim(instance, nxt)  # without the fix it would wait forever

            assert release_dead_runs(instance) == [killed]
            assert release_dead_runs(instance) == []  # once is enough
            assert _claim(instance, nxt)
        finally:
            sleeper.kill()
            sleeper.wait()
        status = {
            run_id: instance.get_run_by_id(run_id).status for run_id in (killed, alive, elsewhere)
        }
        assert status == {
            killed: dg.DagsterRunStatus.FAILURE,
            alive: dg.DagsterRunStatus.STARTED,
            elsewhere: dg.DagsterRunStatus.STARTED,
        }


def test_a_run_already_waiting_for_the_slot_gets_it_when_its_holder_is_killed(tmp_path):
    """Two runs at once, the one holding the warehouse slot killed: the other, already past
    its start-up check, is waiting for the slot and must not wait forever."""
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        instance.event_log_storage.set_concurrency_slots(POOL, 1)
        holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        try:
            host = process_tags()[HOST_TAG]
            holding = _started_run(instance, {HOST_TAG: host, PID_TAG: str(holder.pid)})
            assert _claim(instance, holding)
            waiting = _started_run(instance, process_tags())
            assert release_dead_runs(instance) == []  # its start-up check: the holder lives
            released: list[str] = []
            with releasing_dead_runs(instance, released.append, every_seconds=0.1):
                assert not _claim(instance, waiting)
                holder.kill()  # kill -9
                holder.wait()
                deadline = time.monotonic() + 30
                while not _claim(instance, waiting):
                    assert time.monotonic() < deadline, "the waiting run never got the slot"
                    time.sleep(0.1)
            assert released == [holding]
            assert instance.get_run_by_id(holding).status == dg.DagsterRunStatus.FAILURE
        finally:
            holder.kill()
            holder.wait()


def _started(argv: list[str]) -> subprocess.Popen:
    """The process once it runs `argv`: between fork and exec a child still shows its parent's
    command line (seen on a loaded machine: the orphan was not yet recognisable as dbt)."""
    process = subprocess.Popen(argv)
    expected = "\0".join(argv).encode()
    deadline = time.monotonic() + 120
    while Path(f"/proc/{process.pid}/cmdline").read_bytes().rstrip(b"\0") != expected:
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.05)
    return process


def test_a_dbt_build_left_running_is_stopped_and_nothing_else_is(tmp_path):
    paths = LinkstarPaths(tmp_path)
    orphan = _started([sys.executable, "-c", "import time; time.sleep(120)", "dbt", "build"])
    bystander = _started([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        note_build(paths, orphan.pid)
        assert stop_orphaned_build(paths) == orphan.pid
        assert orphan.wait(timeout=30) != 0
        assert not pid_file(paths).exists()

        note_build(paths, bystander.pid)  # a pid now used by something that is not dbt
        assert stop_orphaned_build(paths) is None
        assert bystander.poll() is None
        assert stop_orphaned_build(paths) is None  # nothing noted
        note_build(paths, os.getpid())
        assert stop_orphaned_build(paths) is None
    finally:
        for process in (orphan, bystander):
            process.kill()
            process.wait()
