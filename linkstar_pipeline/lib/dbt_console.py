"""Where dbt's console output goes during a build: always into one file under LINKSTAR_HOME
(the newest build's full log, named by `linkstar run`), and also to stdout except in a
`linkstar` CLI run, whose terminal gets a summary instead of ~1,000 dbt lines."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO


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
    with log_file.open("w", encoding="utf-8") as log:
        streams = (log, sys.stdout) if echo else (log,)
        with contextlib.redirect_stdout(_Tee(*streams)):  # type: ignore[type-var]
            yield log_file
