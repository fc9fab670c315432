"""`known(x)`: a value the test set up or just read back (a cell's figure, a stored row), typed
as present; when it is None the test fails there, with what was missing, not later."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def known(value: T | None, what: str = "value") -> T:
    if value is None:
        raise AssertionError(f"{what} is None")
    return value
