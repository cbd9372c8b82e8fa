"""A dbt build left running by a killed parent is stopped before the next build starts.

The warehouse lock is released by the OS when its holder dies, but a `dbt build` the holder
started keeps running and writing `warehouse.duckdb` (kill -9 of `linkstar run` during the dbt
step). The build's process id is kept in `$LINKSTAR_HOME/dbt_build.pid` while it runs; the
next build, holding the lock, stops any such process that is still alive (SIGTERM, then
SIGKILL) before starting its own.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from linkstar_pipeline.lib.paths import LinkstarPaths

GRACE_SECONDS = 20.0


def pid_file(paths: LinkstarPaths) -> Path:
    return paths.home / "dbt_build.pid"


def note_build(paths: LinkstarPaths, pid: int) -> None:
    pid_file(paths).write_text(str(pid), encoding="utf-8")


def forget_build(paths: LinkstarPaths) -> None:
    pid_file(paths).unlink(missing_ok=True)


def stop_orphaned_build(paths: LinkstarPaths) -> int | None:
    """Stop the dbt process a dead build left behind; its pid, or None when there was none.
    Call with the warehouse lock held: any build still running then has lost its parent."""
    path = pid_file(paths)
    try:
        pid = int(path.read_text(encoding="utf-8").strip())
    except (FileNotFoundError, ValueError):
        return None
    path.unlink(missing_ok=True)
    if pid == os.getpid() or not _is_dbt(pid):
        return None
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    while _is_dbt(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _is_dbt(pid):
        os.kill(pid, signal.SIGKILL)
    return pid


def _is_dbt(pid: int) -> bool:
    """A live (not zombie) process whose command line names dbt: never some reused pid."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    zombie = any(
        line.startswith("State:") and "Z" in line.split()[1:2] for line in status.splitlines()
    )
    return not zombie and b"dbt" in command
