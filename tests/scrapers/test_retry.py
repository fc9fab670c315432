"""The one retry policy: transient errors only, exponential backoff, capped, with jitter."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scrapers.retry import RetryPolicy


def test_delays_grow_by_the_factor_up_to_the_cap_without_jitter() -> None:
    policy = RetryPolicy(attempts=6, base_delay=1.0, factor=3.0, max_delay=20.0, jitter=0.0)
    assert list(policy.delays()) == [1.0, 3.0, 9.0, 20.0, 20.0]


@given(
    st.integers(min_value=1, max_value=12),
    st.floats(min_value=0.01, max_value=100),
    st.floats(min_value=0.0, max_value=0.9),
    st.integers(min_value=0, max_value=2**31),
)
def test_jitter_stays_within_its_fraction_and_the_cap(
    retry: int, base: float, jitter: float, seed: int
) -> None:
    policy = RetryPolicy(
        base_delay=base, factor=2.0, max_delay=base * 50, jitter=jitter, rng=random.Random(seed)
    )
    nominal = min(base * 2 ** (retry - 1), base * 50)
    got = policy.delay(retry)
    assert nominal * (1 - jitter) - 1e-9 <= got <= min(nominal * (1 + jitter), base * 50) + 1e-9


def test_jitter_spreads_workers_that_failed_together() -> None:
    policy = RetryPolicy(base_delay=10.0, jitter=0.25)
    assert len({round(policy.delay(1), 6) for _ in range(20)}) > 1


def test_only_transient_errors_are_retried() -> None:
    policy = RetryPolicy(attempts=3, base_delay=0.0, jitter=0.0, transient=(ConnectionError,))
    calls: list[str] = []

    def flaky() -> str:
        calls.append("flaky")
        if len(calls) < 3:
            raise ConnectionError("reset")
        return "ok"

    retried: list[int] = []
    assert policy.call(flaky, on_retry=lambda n, exc, wait: retried.append(n), sleep=lambda s: None) == "ok"
    assert retried == [1, 2]

    def buggy() -> str:
        calls.append("buggy")
        raise KeyError("bug")

    with pytest.raises(KeyError):
        policy.call(buggy, sleep=lambda s: None)
    assert calls.count("buggy") == 1


def test_the_last_transient_error_is_raised_after_the_last_attempt() -> None:
    policy = RetryPolicy(attempts=2, base_delay=0.0, transient=(TimeoutError,))
    waits: list[float] = []
    with pytest.raises(TimeoutError):
        policy.call(lambda: (_ for _ in ()).throw(TimeoutError("slow")), sleep=waits.append)
    assert len(waits) == 1
