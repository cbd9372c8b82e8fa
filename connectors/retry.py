"""Bounded retries with jittered exponential back-off, shared by every API client.

"Full jitter" (a uniform delay between zero and the exponential cap) spreads the retries of
many parallel workers apart instead of letting them hit a throttled API in lockstep. The
policy only computes delays; each client decides what is retryable and injects its own
`sleep`, so tests run without waiting.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

# 2**60 times any sane base delay is far beyond any cap; larger exponents would overflow floats.
_MAX_EXPONENT = 60


@dataclass(frozen=True)
class RetryPolicy:
    """`max_attempts` counts the first try, so 1 means "never retry"."""

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0

    def __post_init__(self) -> None:
        if isinstance(self.max_attempts, bool) or not isinstance(self.max_attempts, int):
            raise TypeError(f"max_attempts must be an int, got {self.max_attempts!r}")
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")
        if self.base_delay < 0 or self.max_delay < 0:
            raise ValueError(
                f"delays cannot be negative (base_delay={self.base_delay}, "
                f"max_delay={self.max_delay})"
            )

    def ceiling(self, attempt: int) -> float:
        """Upper bound of the wait after failed attempt `attempt` (1-based): base * 2**(n-1), capped."""
        if attempt < 1:
            raise ValueError(f"attempt is 1-based, got {attempt}")
        exponent = min(attempt - 1, _MAX_EXPONENT)
        return min(self.max_delay, self.base_delay * 2.0**exponent)

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Seconds to wait after failed attempt `attempt` (1-based): uniform in [0, ceiling]."""
        return rng.uniform(0.0, self.ceiling(attempt))


class RetryableError(Exception):
    """An attempt failed in a way a later attempt may not; carries the error to raise if the
    last attempt fails the same way."""

    def __init__(self, reason: str, final_error: Exception) -> None:
        super().__init__(reason)
        self.reason = reason
        self.final_error = final_error


def run_with_retries(
    attempt: Callable[[int], T],
    policy: RetryPolicy,
    *,
    rng: random.Random,
    sleep: Callable[[float], None],
    describe: str,
    log: logging.Logger,
) -> T:
    """Call `attempt(n)` (n is 1-based) until it returns; a `RetryableError` waits the policy's
    jittered delay and tries again, and after the last attempt its `final_error` is raised.
    Any other exception propagates at once."""
    for number in range(1, policy.max_attempts + 1):
        try:
            return attempt(number)
        except RetryableError as failure:
            if number == policy.max_attempts:
                raise failure.final_error from None
            delay = policy.delay(number, rng)
            log.warning(
                "%s attempt %d/%d failed (%s); retrying in %.2fs",
                describe,
                number,
                policy.max_attempts,
                failure.reason,
                delay,
            )
            sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover
