"""One retry policy for everything that tries again: fetches, agency crawls, alert delivery.

Why one object: each caller had its own loop with its own idea of what is worth retrying and
how long to wait. A policy says both: which failures are transient (only those are retried)
and the backoff between attempts (exponential, capped, with jitter so many workers that
failed together do not all come back in the same second).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """`attempts` tries in all; before try n+1 wait `delay(n)` seconds.

    `transient`: the exception types worth another try (an empty tuple: none). `jitter` is a
    fraction: each delay is drawn from [d·(1-jitter), d·(1+jitter)], never above `max_delay`.
    """

    attempts: int = 3
    base_delay: float = 0.5
    factor: float = 2.0
    max_delay: float = 60.0
    jitter: float = 0.25
    transient: tuple[type[BaseException], ...] = field(default=(OSError, TimeoutError))
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def delay(self, retry: int) -> float:
        """Seconds to wait before retry number `retry` (1 for the second attempt)."""
        nominal = min(self.base_delay * self.factor ** max(0, retry - 1), self.max_delay)
        if self.jitter <= 0 or nominal <= 0:
            return nominal
        spread = nominal * self.jitter
        return max(0.0, min(self.max_delay, nominal + self.rng.uniform(-spread, spread)))

    def delays(self) -> Iterator[float]:
        """The waits between attempts, in order (`attempts - 1` of them)."""
        for retry in range(1, self.attempts):
            yield self.delay(retry)

    def is_transient(self, exc: BaseException) -> bool:
        return isinstance(exc, self.transient)

    def call(
        self,
        fn: Callable[[], T],
        *,
        on_retry: Callable[[int, BaseException, float], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> T:
        """`fn()`, again after a delay while it raises a transient error; the last error (or
        the first permanent one) is raised."""
        for retry, wait in enumerate([*self.delays(), None], start=1):
            try:
                return fn()
            except BaseException as exc:
                if wait is None or not self.is_transient(exc):
                    raise
                if on_retry is not None:
                    on_retry(retry, exc, wait)
                sleep(wait)
        raise AssertionError("unreachable")

    def with_(self, **changes: Any) -> RetryPolicy:
        from dataclasses import replace

        return replace(self, **changes)
