"""One writer per DuckDB file, whoever launches the work.

DuckDB lets one process open a file read-write, and no reader may hold it meanwhile. Dagster's
`warehouse` pool (limit 1) queues runs launched by the daemon, but a `linkstar run` from a
terminal or a test bypasses the queue; this inter-process file lock covers every launcher.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from linkstar_pipeline.lib.paths import LinkstarPaths

DEFAULT_WAIT_SECONDS = 3600.0


class WarehouseBusyError(RuntimeError):
    """Another process kept the warehouse lock for longer than we were willing to wait."""


@contextmanager
def warehouse_lock(
    paths: LinkstarPaths, wait_seconds: float = DEFAULT_WAIT_SECONDS
) -> Iterator[None]:
    busy = WarehouseBusyError(
        f"{paths.warehouse} is being rebuilt by another process (lock {paths.warehouse_lock} "
        f"held for over {wait_seconds:.0f}s)"
    )
    with process_lock(paths.warehouse_lock, wait_seconds, busy):
        yield


@contextmanager
def read_only_warehouse(paths: LinkstarPaths) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the warehouse, held under its lock (no build writes meanwhile)."""
    with warehouse_lock(paths), duckdb.connect(str(paths.warehouse), read_only=True) as connection:
        yield connection


@contextmanager
def process_lock(path: Path, wait_seconds: float, busy: Exception) -> Iterator[None]:
    """Hold the inter-process lock file `path` for the block (the OS releases it if the
    holder dies); `busy` is raised when another holder keeps it past `wait_seconds`."""
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=wait_seconds)
    except Timeout as error:
        raise busy from error
    try:
        yield
    finally:
        lock.release()
