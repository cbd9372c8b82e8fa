"""Land raw API pages as immutable files, one per source/entity/partition.

Each line is one API response page, body kept byte for byte as received, with the load
metadata needed to audit and replay it (endpoint, shop, partition, request id, fetch time).
Files are written to a temporary name and renamed into place, so a reader (dbt) sees either
the previous complete file or the new complete file, and re-landing a partition replaces it
rather than adding to it. Ingestion therefore never opens the DuckDB warehouse.

The line schema is mirrored by the `external_location` of each dbt source
(dbt_project/models/staging/<source>/_<source>__sources.yml); change both together.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO


@dataclass(frozen=True)
class RawPage:
    source: str
    entity: str
    endpoint: str
    shop_id: str | None
    partition_key: str | None
    page_number: int
    request_id: str
    fetched_at: str  # ISO 8601, UTC, no offset suffix (DuckDB reads it as TIMESTAMP)
    http_status: int
    request_query: dict[str, str]
    request_body: str | None
    body: str


def raw_file_path(raw_dir: Path, source: str, entity: str, file_key: str) -> Path:
    return raw_dir / source / entity / f"{file_key}.jsonl.gz"


@dataclass
class RawFile:
    """The pages of one raw file (one source/entity/file), gathered from every shop or
    advertiser first and written once at the end: a fetch failing half-way through leaves the
    previous complete file in place instead of a file missing the shops not yet reached.

    `partition_key` is what each page records as its partition; the file key, given to
    `write`, names the file. They are the same for daily partitions and differ for snapshots
    (no partition, keyed by the day the fetch ended) and run-range files (`first..last` in
    the pages, `first_last` in the name). `records` is the asset's own count (what counts as
    a record differs by source), kept beside the pages so every asset reports both alike.
    """

    source: str
    entity: str
    partition_key: str | None = None
    pages: list[RawPage] = field(default_factory=list)
    records: int = 0

    def add(self, page: RawPage, records: int = 0) -> None:
        self.pages.append(page)
        self.records += records

    def write(self, raw_dir: Path, file_key: str) -> Path:
        """Atomically (re)place the file with every page gathered (none: an empty file, so a
        rerun never keeps stale pages); returns its path."""
        path = raw_file_path(raw_dir, self.source, self.entity, file_key)
        write_raw_pages(path, self.pages)
        return path


@contextmanager
def _atomic_replace(path: Path) -> Iterator[BinaryIO]:
    """Write to a temporary file beside `path`, then rename it over `path`: readers see the
    old complete file or the new complete file, and a failure leaves the old one whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as temporary:
            yield temporary
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def write_raw_pages(path: Path, pages: Iterable[RawPage]) -> int:
    """Atomically (re)place `path` with `pages`; returns the number of pages written."""
    count = 0
    with _atomic_replace(path) as raw_file, gzip.GzipFile(fileobj=raw_file, mode="wb") as gz:
        for page in pages:
            gz.write(json.dumps(asdict(page), ensure_ascii=False).encode("utf-8") + b"\n")
            count += 1
    return count


def write_raw_file(path: Path, content: bytes) -> None:
    """Atomically (re)place `path` with a file exactly as a source published it."""
    with _atomic_replace(path) as raw_file:
        raw_file.write(content)


# Stands in for a feed that has never landed a file: dbt's sources read `<feed>/*.jsonl.gz` and
# DuckDB refuses a glob that matches nothing, so one source that failed (or is not configured)
# on its first night would otherwise stop the build of every mart. Empty: it adds no rows. A
# leading underscore marks it as no partition.
PLACEHOLDER_NAME = "_nothing_landed_yet.jsonl.gz"


def ensure_readable_feed(folder: Path) -> bool:
    """Give `folder` the empty placeholder if no raw file has landed in it; True if written."""
    if any(folder.glob("*.jsonl.gz")):
        return False
    write_raw_file(folder / PLACEHOLDER_NAME, gzip.compress(b""))
    return True


def read_raw_pages(path: Path) -> Iterator[RawPage]:
    """Replay a landed file without calling the API again."""
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line_number, line in enumerate(lines, start=1):
            try:
                yield RawPage(**json.loads(line))
            except (json.JSONDecodeError, TypeError) as error:
                raise ValueError(
                    f"{path}: line {line_number} is not a raw page record: {error}"
                ) from error


def write_raw_rows(path: Path, rows: Iterable[dict]) -> int:
    """Atomically (re)place `path` with one JSON object per line (gzip); returns the count.

    For sources that are records rather than API pages (e.g. the KPI configuration)."""
    count = 0
    with _atomic_replace(path) as raw_file, gzip.GzipFile(fileobj=raw_file, mode="wb") as gz:
        for row in rows:
            gz.write(json.dumps(row, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n")
            count += 1
    return count


def read_raw_rows(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]
