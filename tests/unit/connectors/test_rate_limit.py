"""Client-side pacing: the bucket's arithmetic, sharing per API, and the env figure."""

from __future__ import annotations

import threading
import time

import pytest

from connectors.rate_limit import RateLimiter, rate_from_env, shared_limiter


class FakeTime:
    """A clock that only moves when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_burst_goes_at_once_then_requests_are_spaced_by_the_rate():
    t = FakeTime()
    limiter = RateLimiter(4.0, burst=2, clock=t.clock, sleep=t.sleep)

    waits = [limiter.acquire() for _ in range(6)]

    assert waits[:2] == [0.0, 0.0]
    assert waits[2:] == pytest.approx([0.25] * 4)
    assert t.now == pytest.approx(101.0)  # 4 requests after the burst at 4/s take 1 s


def test_idle_time_refills_up_to_the_burst_only():
    t = FakeTime()
    limiter = RateLimiter(1.0, burst=3, clock=t.clock, sleep=t.sleep)
    for _ in range(3):
        limiter.acquire()
    t.now += 3600  # an hour idle must not bank an hour of requests

    waits = [limiter.acquire() for _ in range(4)]

    assert waits == pytest.approx([0.0, 0.0, 0.0, 1.0])


def test_zero_rate_turns_pacing_off():
    t = FakeTime()
    limiter = RateLimiter(0, burst=1, clock=t.clock, sleep=t.sleep)

    assert [limiter.acquire() for _ in range(100)] == [0.0] * 100
    assert t.slept == []


def test_threads_share_one_budget():
    limiter = RateLimiter(200.0, burst=1)
    done: list[float] = []

    def worker() -> None:
        for _ in range(10):
            limiter.acquire()
        done.append(1)

    threads = [threading.Thread(target=worker) for _ in range(4)]

    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # 40 requests at 200/s with a burst of 1 cannot finish in less than ~0.195 s.
    assert len(done) == 4
    assert time.monotonic() - started >= 0.19


def test_one_limiter_per_api_and_base_url():
    a = shared_limiter("unit-api", "http://a", 5.0, 5)
    again = shared_limiter("unit-api", "http://a", 99.0, 99)
    other = shared_limiter("unit-api", "http://b", 5.0, 5)

    assert a is again and a.rate_per_second == 5.0
    assert other is not a


def test_rate_from_env():
    assert rate_from_env("X_RATE", 7.5, {}) == 7.5
    assert rate_from_env("X_RATE", 7.5, {"X_RATE": " 12 "}) == 12.0
    with pytest.raises(ValueError, match="X_RATE='fast' is not a number"):
        rate_from_env("X_RATE", 7.5, {"X_RATE": "fast"})
