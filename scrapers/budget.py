"""A time budget per request: a total deadline and a minimum transfer rate.

Why: a read timeout restarts on every byte, so a server that sends one byte every two
seconds (headers or body) was never cut off, and held its host's slot meanwhile. The budget
is enforced where the bytes arrive (`BudgetedStream`, below the HTTP client): every socket
operation's timeout is clamped to what is left of the deadline, and once the first byte has
arrived the bytes of each `window` seconds must reach `min_rate` per second.

The budget of the request being made lives in a thread-local: the synchronous client does
all of a request's I/O in the calling thread, and a pooled connection serves one request
at a time.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpcore

_current = threading.local()


@dataclass
class Budget:
    deadline_s: float
    min_rate: float = 0.0  # bytes per second; 0: no minimum
    window_s: float = 20.0
    started: float = field(default_factory=time.monotonic)
    received: int = 0
    exceeded: str | None = None  # "deadline" | "slow" once cut off
    peer: str | None = None  # the address connected to (the guard's pinned choice)
    _window_start: float | None = None
    _window_bytes: int = 0

    @property
    def ends(self) -> float:
        return self.started + self.deadline_s

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def clamp(self, timeout: float | None) -> float:
        """`timeout` no longer than what is left; past the deadline, a timeout now."""
        left = self.ends - time.monotonic()
        if left <= 0:
            self.exceeded = "deadline"
            raise httpcore.ReadTimeout(f"total deadline of {self.deadline_s:g} s exceeded")
        return left if timeout is None else min(timeout, left)

    def timed_out(self) -> bool:
        """Whether a timeout just seen is the deadline's (not a single slow operation's)."""
        if self.exceeded is None and time.monotonic() >= self.ends - 0.05:
            self.exceeded = "deadline"
        return self.exceeded == "deadline"

    def took(self, n: int) -> None:
        """Count `n` bytes received; cut the transfer off when it is slower than `min_rate`."""
        now = time.monotonic()
        self.received += n
        if self._window_start is None:
            self._window_start = now
            self._window_bytes = n
            return
        self._window_bytes += n
        span = now - self._window_start
        if self.min_rate <= 0 or span < self.window_s:
            return
        if self._window_bytes / span < self.min_rate:
            self.exceeded = "slow"
            raise httpcore.ReadError(
                f"transfer slower than {self.min_rate:g} bytes/s ({self._window_bytes} bytes in {span:.1f} s)"
            )
        self._window_start, self._window_bytes = now, 0


def current() -> Budget | None:
    return getattr(_current, "budget", None)


@contextmanager
def budget(deadline_s: float, min_rate: float = 0.0, window_s: float = 20.0) -> Iterator[Budget]:
    """Make the requests of this block (in this thread) live within one `Budget`."""
    made = Budget(deadline_s, min_rate, window_s)
    previous = current()
    _current.budget = made
    try:
        yield made
    finally:
        _current.budget = previous


class BudgetedStream(httpcore.NetworkStream):
    """A network stream whose every operation is bounded by the current request's budget."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        spent = current()
        if spent is None:
            return self._inner.read(max_bytes, timeout)
        data = self._inner.read(max_bytes, spent.clamp(timeout))
        spent.took(len(data))
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        spent = current()
        self._inner.write(buffer, spent.clamp(timeout) if spent else timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        spent = current()
        upgraded = self._inner.start_tls(
            ssl_context, server_hostname, spent.clamp(timeout) if spent else timeout
        )
        return BudgetedStream(upgraded)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)
