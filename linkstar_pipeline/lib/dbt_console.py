"""Where dbt's console output goes during a build: always into a file of its own under
$LINKSTAR_HOME/logs (named by `linkstar run`; the newest KEEP_LOGS are kept), and also to
stdout except in a `linkstar` CLI run, whose terminal gets a summary instead of ~1,000 dbt
lines. One file per run, so two builds queued one after the other keep both logs."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

KEEP_LOGS = 30


class _Tee:
    """A stdout stand-in writing to several streams (dagster-dbt writes dbt's lines to
    sys.stdout itself)."""

    def __init__(self, *streams: IO[str]) -> None:
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


@contextlib.contextmanager
def dbt_console_to(log_file: Path, echo: bool) -> Iterator[Path]:
    log_file.parent.mkdir(parents=True, exist_ok=True)
    _prune(log_file.parent, log_file.name.split("-", 1)[0])
    with log_file.open("w", encoding="utf-8") as log:
        streams = (log, sys.stdout) if echo else (log,)
        with contextlib.redirect_stdout(_Tee(*streams)):  # type: ignore[type-var]
            yield log_file


def _prune(folder: Path, prefix: str) -> None:
    """Keep the newest KEEP_LOGS - 1 logs of this kind, making room for the one about to start."""
    logs = sorted(folder.glob(f"{prefix}-*.log"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in logs[KEEP_LOGS - 1 :]:
        old.unlink(missing_ok=True)
