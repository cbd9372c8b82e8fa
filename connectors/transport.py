"""One HTTP request with the ways it can fail to get an answer named, for every API client.

Shared because every client wants the same: never follow a redirect (it would carry the
credentials to another host), and turn "no answer" — connect timeout, read timeout, a
connection dropped mid-answer (a body cut short), a refused connection — into the client's
own retryable error with a reason and a plain description.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from connectors.retry import RetryableError

# (reason for the retry log, what happened in words) -> the client's retryable error
NoAnswer = Callable[[str, str], RetryableError]
UNREACHABLE = "could not be reached"
# What to do when the API WAS reached but its answer never arrived whole (a read timeout, a
# connection dropped mid-answer): checking the URL or starting a sandbox would not help.
CUT_OFF_HINT = (
    "It was reached, but its answer did not arrive whole: try again later; if it persists, "
    "report it with the time of the run."
)


def no_answer_hint(what: str, unreachable_hint: str) -> str:
    """The client's own hint (check the URL, start the sandbox) only when nothing answered."""
    return unreachable_hint if what == UNREACHABLE else CUT_OFF_HINT


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    timeout: float,
    no_answer: NoAnswer,
    **kwargs: Any,
) -> requests.Response:
    try:
        return session.request(method, url, timeout=timeout, allow_redirects=False, **kwargs)
    except requests.exceptions.ConnectTimeout:
        raise no_answer("connect timeout", UNREACHABLE) from None
    except requests.exceptions.Timeout:
        raise no_answer("read timeout", f"gave no answer within {timeout:g}s") from None
    except requests.exceptions.ChunkedEncodingError:
        raise no_answer("connection dropped", "dropped the connection mid-answer") from None
    except requests.exceptions.ConnectionError as err:
        raise no_answer(type(err).__name__, UNREACHABLE) from None
