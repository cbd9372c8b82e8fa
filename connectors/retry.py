"""Bounded retries with jittered exponential back-off, shared by every API client.

"Full jitter" (a uniform delay between zero and the exponential cap) spreads the retries of
many parallel workers apart instead of letting them hit a throttled API in lockstep. The
policy only computes delays; each client decides what is retryable and injects its own
`sleep`, so tests run without waiting.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

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
