"""Asynchronous report tasks of the emulated Marketing API (`/report/task/*`).

A task is the synchronous report computed once at creation (same rows, no ~10,000-ad limit),
then served as a CSV file after a few checks. What the real API names differently or leaves
unconfirmed (status values, the download URL's field and host) is decided in the constants
below and mirrored in the client's `REPORT_TASK_FIELDS`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import random
import threading
from dataclasses import dataclass

STATUS_QUEUING = "QUEUING"
STATUS_PROCESSING = "PROCESSING"
STATUS_SUCCESS = "SUCCESS"
STATUS_FAILED = "FAILED"
STATUS_CANCELED = "CANCELED"
DOWNLOAD_URL_FIELD = "download_url"  # unconfirmed field name (some sources: a separate call)


@dataclass
class ReportTask:
    task_id: str
    advertiser_id: str
    token: str
    columns: tuple[str, ...]  # dimensions, then metrics: the CSV header
    rows: list[dict]  # as the synchronous report writes them
    fails: bool
    signature: str
    checks: int = 0
    canceled: bool = False


class TaskNotFound(LookupError):
    """No task with this id for this advertiser and token."""


class ReportTasks:
    """Every task created so far; thread-safe (the HTTP server serves requests in threads)."""

    def __init__(self, seed: int, checks_to_finish: int, failure_rate: float) -> None:
        self._checks_to_finish = max(1, checks_to_finish)
        self._failure_rate = failure_rate
        self._rng = random.Random(f"{seed}:ads-report-tasks")
        self._ids = itertools.count(1)
        self._seed = seed
        self._tasks: dict[str, ReportTask] = {}
        self._lock = threading.Lock()

    def create(
        self,
        advertiser_id: str,
        token: str,
        dimensions: list[str],
        metrics: list[str],
        rows: list[dict],
    ) -> str:
        with self._lock:
            task_id = f"{7_300_000_000_000_000_000 + next(self._ids)}"
            fails = self._rng.random() < self._failure_rate
            signature = hashlib.sha256(f"{self._seed}:{task_id}".encode()).hexdigest()[:32]
            self._tasks[task_id] = ReportTask(
                task_id,
                advertiser_id,
                token,
                tuple(dimensions) + tuple(metrics),
                rows,
                fails,
                signature,
            )
        return task_id

    def _get(self, advertiser_id: str, token: str, task_id: str) -> ReportTask:
        task = self._tasks.get(task_id)
        if task is None or task.advertiser_id != advertiser_id or task.token != token:
            raise TaskNotFound(task_id)
        return task

    def check(self, advertiser_id: str, token: str, task_id: str, file_url: str) -> dict:
        """QUEUING, PROCESSING, then SUCCESS (with the file's URL) or FAILED."""
        with self._lock:
            task = self._get(advertiser_id, token, task_id)
            task.checks += 1
            if task.canceled:
                return {"task_id": task_id, "status": STATUS_CANCELED}
            if task.checks < self._checks_to_finish:
                status = STATUS_QUEUING if task.checks == 1 else STATUS_PROCESSING
                return {"task_id": task_id, "status": status}
            if task.fails:
                return {
                    "task_id": task_id,
                    "status": STATUS_FAILED,
                    "message": "Report task failed (sandbox fault): create it again",
                }
            url = f"{file_url}?task_id={task_id}&signature={task.signature}"
            return {"task_id": task_id, "status": STATUS_SUCCESS, DOWNLOAD_URL_FIELD: url}

    def cancel(self, advertiser_id: str, token: str, task_id: str) -> dict:
        with self._lock:
            task = self._get(advertiser_id, token, task_id)
            task.canceled = True
            return {"task_id": task_id, "status": STATUS_CANCELED}

    def file(self, task_id: str, signature: str) -> bytes | None:
        """The finished task's CSV (header: dimensions then metrics), or None."""
        with self._lock:
            task = self._tasks.get(task_id)
            ready = (
                task is not None
                and task.signature == signature
                and not task.canceled
                and not task.fails
                and task.checks >= self._checks_to_finish
            )
        if not ready:
            return None
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(task.columns)
        for row in task.rows:
            values = {**row["dimensions"], **row["metrics"]}
            writer.writerow(values[column] for column in task.columns)
        return out.getvalue().encode("utf-8")
