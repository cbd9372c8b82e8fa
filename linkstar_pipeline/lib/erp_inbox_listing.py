"""What is in the ERP inbox: exports to judge, and files that are not (yet) exports, each with
a reason, so nothing sits in the inbox unexplained.

Hidden files (`.name`), editors' lock files (`~$name`) and files a copy tool is still writing
(`.part`, `.tmp`, `.crdownload`, `.partial`) are not read; they are listed as waiting with the
reason, and a partial file still there after `STALE_PARTIAL_MINUTES` is flagged stale (a copy
that died). A symbolic link is an export only if it points inside the inbox: one pointing
outside is refused (the inbox must not become a way to read any file on the machine).
File names are shown through `printable`: a newline or control character in a name must not
forge log lines or reports.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from connectors.erp_files.errors import printable

_HIDDEN = "."
_LOCK_FILE = "~$"
PARTIAL_SUFFIXES = (".tmp", ".part", ".crdownload", ".partial")
STALE_PARTIAL_MINUTES = 30


@dataclass(frozen=True)
class WaitingFile:
    """A file in the inbox that is not read, and why; `stale` asks someone to look at it."""

    name: str  # printable, relative to the inbox
    reason: str
    stale: bool = False


@dataclass(frozen=True)
class InboxListing:
    exports: list[Path]  # in load order: oldest modification time first, then by path
    waiting: list[WaitingFile]


def list_inbox(inbox: Path, now: datetime) -> InboxListing:
    if not inbox.exists():
        return InboxListing([], [])
    exports, waiting = [], []
    for path in inbox.rglob("*"):
        if not (path.is_file() or path.is_symlink()):  # a broken link is refused, not skipped
            continue
        reason = _not_an_export(path, now)
        if reason is None:
            exports.append(path)
        else:
            waiting.append(WaitingFile(printable(str(path.relative_to(inbox))), *reason))
    return InboxListing(sorted(exports, key=_load_order), sorted(waiting, key=lambda w: w.name))


def link_outside(path: Path, inbox: Path) -> Path | None:
    """Where a symbolic link points, when that is outside the inbox; else None."""
    if not path.is_symlink():
        return None
    target = path.resolve()
    return None if target.is_relative_to(inbox.resolve()) else target


def _not_an_export(path: Path, now: datetime) -> tuple[str, bool] | None:
    name = path.name
    if path.is_dir():  # only a symbolic link to a folder gets here: the walk does not enter it
        return "a link to a folder: files are not read through links; move them in", False
    if name.startswith(_LOCK_FILE):
        return "an editor's lock file (~$...): not read; it goes when the file is closed", False
    if name.startswith(_HIDDEN):
        return "a hidden file (name starts with '.'): not read; rename it to load it", False
    if name.endswith(PARTIAL_SUFFIXES):
        return _partial(path, now)
    return None


def _partial(path: Path, now: datetime) -> tuple[str, bool]:
    suffix = path.suffix
    try:
        age = now.timestamp() - path.stat().st_mtime
    except FileNotFoundError:  # finished and renamed meanwhile
        age = 0.0
    if age > timedelta(minutes=STALE_PARTIAL_MINUTES).total_seconds():
        minutes = int(age // 60)
        reason = (
            f"still named {suffix} and unchanged for {minutes} minutes: a copy that stopped? "
            "finish it (rename it without the suffix) or delete it"
        )
        return reason, True
    return f"being copied ({suffix}): read once the copy renames it", False


def _load_order(path: Path) -> tuple[int, str]:
    try:
        modified = os.stat(path).st_mtime_ns
    except FileNotFoundError:  # gone already: judged (and reported vanished) last
        modified = 1 << 62
    return modified, str(path)
