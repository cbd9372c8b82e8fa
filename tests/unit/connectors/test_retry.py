"""`RetryPolicy`: full-jitter exponential delays, capped, and validated."""

from __future__ import annotations

import random

import pytest

from connectors.retry import RetryPolicy


def test_defaults():
    policy = RetryPolicy()

    assert (policy.max_attempts, policy.base_delay, policy.max_delay) == (6, 0.5, 30.0)


def test_ceiling_doubles_per_attempt_until_the_cap():
    policy = RetryPolicy(base_delay=0.5, max_delay=3.0)

    assert [policy.ceiling(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_delay_is_full_jitter_between_zero_and_the_ceiling():
    policy = RetryPolicy(base_delay=1.0, max_delay=30.0)
    rng = random.Random(1)

    for attempt in range(1, 8):
        delays = [policy.delay(attempt, rng) for _ in range(200)]
        ceiling = min(30.0, 2.0 ** (attempt - 1))
        assert all(0.0 <= d <= ceiling for d in delays)
        # Full jitter spreads over the whole range, not just near the ceiling.
        assert min(delays) < 0.25 * ceiling < 0.75 * ceiling < max(delays)


def test_delay_is_reproducible_with_a_seeded_rng():
    policy = RetryPolicy()

    first = [policy.delay(n, random.Random(42)) for n in range(1, 6)]
    second = [policy.delay(n, random.Random(42)) for n in range(1, 6)]

    assert first == second


def test_huge_attempt_numbers_stay_at_the_cap():
    policy = RetryPolicy(base_delay=0.5, max_delay=30.0)

    assert policy.ceiling(5000) == 30.0
    assert 0.0 <= policy.delay(5000, random.Random(0)) <= 30.0


def test_zero_base_delay_never_waits():
    policy = RetryPolicy(base_delay=0.0)

    assert policy.delay(3, random.Random(0)) == 0.0


@pytest.mark.parametrize(
    "kwargs",
    [{"max_attempts": 0}, {"base_delay": -1.0}, {"max_delay": -0.1}],
)
def test_invalid_policies_are_rejected(kwargs):
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)


def test_attempt_numbers_are_one_based():
    with pytest.raises(ValueError):
        RetryPolicy().delay(0, random.Random(0))
