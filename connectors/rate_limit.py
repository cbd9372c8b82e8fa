"""Client-side request pacing, one limiter per API shared by every client in the process.

Retrying after a throttle answer works but wastes the API's quota and our time; pacing
requests below the published limit avoids most throttle answers in the first place. The
limit belongs to the API (and app), not to one client object: Dagster runs several assets
in one process, each with its own client, so limiters are shared through `shared_limiter`.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping


class RateLimiter:
    """Token bucket: up to `burst` requests at once, then `rate_per_second` on average.

    `acquire()` blocks until a request may go; thread-safe. A rate of zero or less turns
    pacing off (for a seller whose app tier allows more than we would guess).
    """

    def __init__(
        self,
        rate_per_second: float,
        burst: int = 1,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if burst < 1:
            raise ValueError(f"burst must be at least 1, got {burst}")
        self.rate_per_second = rate_per_second
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Wait for a token; returns the seconds waited (for progress logs and tests)."""
        if self.rate_per_second <= 0:
            return 0.0
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                elapsed = max(0.0, now - self._last)
                self._tokens = min(float(self.burst), self._tokens + elapsed * self.rate_per_second)
                self._last = now
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return waited
                wait = (1.0 - self._tokens) / self.rate_per_second
            self._sleep(wait)
            waited += wait


_SHARED: dict[tuple[str, str], RateLimiter] = {}
_SHARED_LOCK = threading.Lock()


def shared_limiter(api: str, base_url: str, rate_per_second: float, burst: int) -> RateLimiter:
    """The process-wide limiter for one API at one base URL (created on first use).

    The sandbox and production are different quotas, so the base URL is part of the key.
    A later call with other figures keeps the first limiter: the quota does not change
    mid-process.
    """
    key = (api, base_url)
    with _SHARED_LOCK:
        limiter = _SHARED.get(key)
        if limiter is None:
            limiter = _SHARED[key] = RateLimiter(rate_per_second, burst)
        return limiter


def rate_from_env(name: str, default: float, environ: Mapping[str, str] | None = None) -> float:
    """A requests-per-second figure from the environment; a non-number is a clear error."""
    env = os.environ if environ is None else environ
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(
            f"{name}={raw!r} is not a number of requests per second (0 turns pacing off)"
        ) from None
