"""Request ids and the request log every emulated API keeps (shop and ads alike)."""

from __future__ import annotations

import itertools
import os
import threading
from datetime import UTC, datetime

LogEntry = tuple[str, str, int, int | None]  # method, path, http_status, api_code


class RequestJournal:
    """Thread-safe: ids unique per sandbox instance, log entries oldest first."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._instance = os.urandom(3).hex().upper()
        self._entries: list[LogEntry] = []
        self._lock = threading.Lock()

    def next_request_id(self) -> str:
        """UTC stamp, instance tag and a counter, like TikTok's request ids."""
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        return f"{stamp}{self._instance}{next(self._counter):08d}"

    def record(self, method: str, path: str, http_status: int, api_code: int | None) -> None:
        with self._lock:
            self._entries.append((method, path, http_status, api_code))

    def entries(self) -> list[LogEntry]:
        with self._lock:
            return list(self._entries)
