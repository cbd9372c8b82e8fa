"""ERP export files: inbox → landed rows + archive, or → rejected with a report.

Sellers drop 店小秘 / 马帮 / 领星 exports into an inbox folder. Each file is judged whole by the
reader in `connectors.erp_files`: a readable file lands as canonical rows (one gzip JSONL file
named by the file's SHA-256) and its original bytes move to the archive; an unreadable one
moves to the rejected folder beside a report naming file, row and column, and nothing of it
lands. The SHA-256 is the file's identity: a file already landed is archived as a duplicate
and never loaded twice, while a changed file with the same name is a new version.

Files load oldest modification time first (then by path), and each landed file gets the next
`load_sequence` number: where two files hold the same keys (an export corrected and dropped
again, two exports in the same second), the higher number is kept, whatever the clock or the
SHA-256 say.

Crash safety comes from the order of steps: rows land atomically, then the file's manifest,
then the original moves. A crash in between leaves the file in the inbox with its manifest
written, so the next run archives it as a duplicate instead of loading it twice.

Two imports at once (the inbox sensor's run and the nightly, or two terminals) take turns on
an inter-process lock beside the landed files (released by the OS if the holder dies), so the
second finds the first's files gone from the inbox rather than half-moved. A file that still
disappears between listing and judging (removed by hand, or by an import of another home
sharing the inbox) is skipped and named in the outcome, never a crash. Rejected and archived
names never overwrite one another: same-named files from two sub-folders, or dropped again in
the same second, get a ` (2)`, ` (3)`... before their suffixes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from linkstar_pipeline.lib.erp_inbox_listing import (
    WaitingFile,
    link_outside,
    list_inbox,
    printable,
)
from linkstar_pipeline.lib.paths import LinkstarPaths
from linkstar_pipeline.lib.raw_landing import ensure_readable_feed, write_raw_file
from linkstar_pipeline.lib.warehouse_lock import process_lock

ENV_IMPORT_DIR = "ERP_IMPORT_DIR"
SOURCE = "erp"
DEFAULT_LOCK_WAIT_SECONDS = 3600.0


class ErpImportBusyError(RuntimeError):
    """Another import kept the inbox lock for longer than this one was willing to wait."""


class ParsedFile(Protocol):
    """What the ERP reader returns for a readable file (connectors.erp_files.ParsedErpFile)."""

    sha256: str
    vendor: str
    kind: str
    mapping_version: str
    encoding: str
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class ErpFolders:
    """Where exports arrive, land, and end up; all but the inbox live under LINKSTAR_HOME."""

    inbox: Path
    landed: Path  # raw/erp/<kind>/<sha256>.jsonl.gz and raw/erp/files/<sha256>.json
    archive: Path
    rejected: Path

    @classmethod
    def under(cls, paths: LinkstarPaths, environ: dict[str, str] | None = None) -> ErpFolders:
        env = os.environ if environ is None else environ
        inbox = (env.get(ENV_IMPORT_DIR) or "").strip()
        return cls(
            inbox=Path(inbox).expanduser().resolve() if inbox else paths.home / "inbox" / "erp",
            landed=paths.raw_dir / SOURCE,
            archive=paths.home / "archive" / SOURCE,
            rejected=paths.home / "rejected" / SOURCE,
        )

    def manifest_path(self, sha256: str) -> Path:
        return self.landed / "files" / f"{sha256}.json"

    def rows_path(self, kind: str, sha256: str) -> Path:
        return self.landed / kind / f"{sha256}.jsonl.gz"

    @property
    def lock_path(self) -> Path:
        """Beside the landed files (dbt reads only raw/erp/<kind>/*.jsonl.gz)."""
        return self.landed / ".import.lock"


@dataclass(frozen=True)
class LoadedFile:
    name: str
    sha256: str
    vendor: str
    kind: str
    rows: int
    archived_to: Path


@dataclass(frozen=True)
class RejectedFile:
    name: str
    moved_to: Path
    report: Path
    reason: str


@dataclass
class ImportOutcome:
    loaded: list[LoadedFile] = field(default_factory=list)
    rejected: list[RejectedFile] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    # Listed, then gone before they could be judged (taken by another import, or removed).
    vanished: list[str] = field(default_factory=list)
    # Not exports (yet): hidden, lock or partial files, each with its reason.
    waiting: list[WaitingFile] = field(default_factory=list)

    def rows_by_kind(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for loaded in self.loaded:
            totals[loaded.kind] = totals.get(loaded.kind, 0) + loaded.rows
        return totals


def pending_exports(inbox: Path) -> list[Path]:
    """Export files waiting in the inbox (sub-folders included) in load order: oldest
    modification time first, then by path. Later files win where rows share keys."""
    return list_inbox(inbox, datetime.now(UTC)).exports


def import_inbox(
    folders: ErpFolders,
    parse: Callable[[Path], ParsedFile],
    rejection_types: tuple[type[Exception], ...],
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS,
) -> ImportOutcome:
    """Judge every pending export; `parse` raises one of `rejection_types` for a bad file.

    One import at a time (see the module docstring). Any other exception (a bug, a full
    disk) propagates: the file stays in the inbox.
    """
    folders.landed.mkdir(parents=True, exist_ok=True)
    busy = ErpImportBusyError(
        f"Another ERP import has held {folders.lock_path} for over {lock_wait_seconds:.0f}s; "
        "let it finish, or stop it, then run the import again."
    )
    with process_lock(folders.lock_path, lock_wait_seconds, busy):
        return _import_pending(folders, parse, rejection_types, now)


def _import_pending(
    folders: ErpFolders,
    parse: Callable[[Path], ParsedFile],
    rejection_types: tuple[type[Exception], ...],
    now: Callable[[], datetime],
) -> ImportOutcome:
    listing = list_inbox(folders.inbox, now())
    outcome = ImportOutcome(waiting=listing.waiting)
    sequence = _LoadSequence(_last_load_sequence(folders))
    for path in listing.exports:
        try:
            _judge(folders, path, parse, rejection_types, now(), outcome, sequence)
        except FileNotFoundError:
            if path.exists():
                raise  # something else is missing: not a file taken from under us
            outcome.vanished.append(printable(path.name))
    return outcome


def _judge(
    folders: ErpFolders,
    path: Path,
    parse: Callable[[Path], ParsedFile],
    rejection_types: tuple[type[Exception], ...],
    stamp: datetime,
    outcome: ImportOutcome,
    sequence: _LoadSequence,
) -> None:
    target = link_outside(path, folders.inbox)
    if target is not None:
        reason = (
            f"ERP export {printable(str(path))} refused: it is a symbolic link to "
            f"{printable(str(target))}, outside the inbox. Copy the file itself into the inbox; "
            "nothing was loaded."
        )
        outcome.rejected.append(_reject(folders, path, reason, stamp))
        return
    sha256 = _sha256(path)
    if folders.manifest_path(sha256).exists():
        _move(path, _archive_path(folders, path, sha256, stamp))
        outcome.duplicates.append(printable(path.name))
        return
    try:
        parsed = parse(path)
    except rejection_types as rejection:
        outcome.rejected.append(_reject(folders, path, str(rejection), stamp))
        return
    outcome.loaded.append(_land(folders, path, sha256, parsed, stamp, sequence.next()))


class _LoadSequence:
    """Numbers landed files in the order they load, across imports (one import at a time):
    where two files hold the same keys, staging keeps the higher number. The clock cannot
    decide (two files load in the same second), and neither should the SHA-256."""

    def __init__(self, last: int) -> None:
        self.last = last

    def next(self) -> int:
        self.last += 1
        return self.last


def _last_load_sequence(folders: ErpFolders) -> int:
    """The highest number in the manifests; files landed before numbering count as 0."""
    manifests = (folders.landed / "files").glob("*.json")
    return max(
        (json.loads(m.read_text(encoding="utf-8")).get("load_sequence", 0) for m in manifests),
        default=0,
    )


def ensure_every_kind_has_a_file(folders: ErpFolders, kinds: Iterable[str]) -> None:
    """dbt's sources read raw/erp/<kind>/*.jsonl.gz; a glob without files is an error, so an
    empty file stands in until the first export of a kind arrives (it adds no rows)."""
    for kind in kinds:
        folder = folders.landed / kind
        ensure_readable_feed(folder)


# --------------------------------------------------------------------------- steps


def _land(
    folders: ErpFolders,
    path: Path,
    sha256: str,
    parsed: ParsedFile,
    stamp: datetime,
    load_sequence: int,
) -> LoadedFile:
    loaded_at = stamp.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
    lines = []
    for row in parsed.rows:
        record = {
            "file_sha256": sha256,
            "file_name": printable(path.name),
            "vendor": parsed.vendor,
            "mapping_version": parsed.mapping_version,
            "loaded_at": loaded_at,
            "load_sequence": load_sequence,
            **{name: _json_value(value) for name, value in row.items()},
        }
        lines.append(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
    write_raw_file(folders.rows_path(parsed.kind, sha256), gzip.compress(b"".join(lines)))
    archived_to = _archive_path(folders, path, sha256, stamp)
    manifest = {
        "file_name": printable(path.name),
        "sha256": sha256,
        "size_bytes": path.stat().st_size,
        "vendor": parsed.vendor,
        "kind": parsed.kind,
        "mapping_version": parsed.mapping_version,
        "encoding": parsed.encoding,
        "rows": len(parsed.rows),
        "loaded_at": loaded_at,
        "load_sequence": load_sequence,
        "archived_to": str(archived_to),
    }
    write_raw_file(
        folders.manifest_path(sha256),
        json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"),
    )
    _move(path, archived_to)
    return LoadedFile(
        printable(path.name), sha256, parsed.vendor, parsed.kind, len(parsed.rows), archived_to
    )


def _reject(folders: ErpFolders, path: Path, reason: str, stamp: datetime) -> RejectedFile:
    prefix = stamp.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    moved_to = _unused(
        folders.rejected / f"{prefix}__{printable(path.name)}",
        taken=lambda candidate: candidate.with_name(candidate.name + ".report.txt").exists(),
    )
    report = moved_to.with_name(moved_to.name + ".report.txt")
    write_raw_file(report, (reason.rstrip("\n") + "\n").encode("utf-8"))
    _move(path, moved_to)
    return RejectedFile(printable(path.name), moved_to, report, reason)


def _archive_path(folders: ErpFolders, path: Path, sha256: str, stamp: datetime) -> Path:
    """archive/erp/<UTC day>/<first 12 hex of the SHA-256>__<original name>, made unique."""
    day = stamp.astimezone(UTC).date().isoformat()
    return _unused(folders.archive / day / f"{sha256[:12]}__{printable(path.name)}")


def _unused(target: Path, taken: Callable[[Path], bool] = lambda candidate: False) -> Path:
    """`target`, or `name (2).csv`, `name (3).csv`...: the first that neither exists nor is
    `taken` (imports run one at a time, so nothing takes it before the move)."""
    candidate, number = target, 1
    while candidate.exists() or taken(candidate):
        number += 1
        candidate = target.with_name(f"{target.stem} ({number}){target.suffix}")
    return candidate


def _move(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(source), str(target))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _json_value(value: object) -> object:
    """Decimals as strings (never floats), times as UTC wall time DuckDB reads as TIMESTAMP."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        utc = value.astimezone(UTC) if value.tzinfo else value
        return utc.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value
