"""A real HTTP server on 127.0.0.1 that answers each path with exactly the bytes a test wrote.

For answers no emulator would give on purpose (a body cut short, HTML with 200, a JSON array,
a page whose records repeat under a new page token), or not where a test needs them (the
connection dropped mid-answer on one page of a walk, `cut_in_transit`): the connectors talk
to it over real HTTP like to any API. Answers are matched by the end of the request path; each path serves
its answers in turn and repeats the last one, so "503 on every attempt" is one answer.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    content_type: str = "application/json"
    # Promise the whole body (Content-Length), send half of it, hang up.
    dropped_mid_answer: bool = False


def cut_in_transit(answer: Answer) -> Answer:
    """The answer as a connection dropped half-way through its body delivers it."""
    return replace(answer, dropped_mid_answer=True)


def json_answer(payload: Any, status: int = 200) -> Answer:
    return Answer(status, json.dumps(payload).encode("utf-8"))


def envelope(data: Any = None, *, code: int = 0, request_id: str = "", status: int = 200) -> Answer:
    """The `{code, message, request_id, data}` envelope the TikTok APIs answer with (`data`
    left out when None)."""
    body = {
        "code": code,
        "message": "OK" if code == 0 else f"error {code}",
        "request_id": request_id,
    }
    if data is not None:
        body["data"] = data
    return json_answer(body, status)


@dataclass
class CannedApi:
    """The server's base URL, its answers per path ending, and every request path it got."""

    base_url: str
    answers: dict[str, list[Answer]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def serve(self, path_end: str, *answers: Answer) -> None:
        self.answers[path_end] = list(answers)

    def count(self, path_end: str) -> int:
        return sum(1 for path in self.requests if path.endswith(path_end))

    def answer_for(self, path: str) -> Answer:
        self.requests.append(path)
        for end, queue in self.answers.items():
            if path.endswith(end):
                return queue.pop(0) if len(queue) > 1 else queue[0]
        return Answer(404, b"no canned answer for this path", "text/plain")


@contextmanager
def canned_api() -> Iterator[CannedApi]:
    api = CannedApi("")

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            answer = api.answer_for(urlsplit(self.path).path)
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if answer.dropped_mid_answer:
                self.wfile.write(answer.body[: len(answer.body) // 2])
                self.close_connection = True
                return
            self.wfile.write(answer.body)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    api.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
