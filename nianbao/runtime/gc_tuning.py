"""Keep Python's cyclic garbage collector off what a process keeps for its whole life.

A full collection walks every tracked object while holding the GIL, so all 16 crawl threads
stop. In a crawl those are mostly imported modules (Prefect, pydantic, SQLAlchemy: ≈230,000
objects in a flow run, ≈130,000 without Prefect), walked dozens of times. Measured with
bench/cycle.py at 1000 agencies: the collector took 4.3 s of a 31 s crawl without Prefect and
7.2 s of 41 s in the flow; with the startup objects frozen and a larger first-generation
threshold, about 0.5 s and 0.7 s (docs/benchmarks.md, garbage collector column). Parsed reports are trees with parent links (BeautifulSoup), so the collector
still runs: only on what the crawl itself makes.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# Allocations between first-generation collections during a crawl (CPython's default: 700).
CRAWL_GEN0_THRESHOLD = 10_000

_lock = threading.Lock()
_depth = 0
_saved_thresholds: tuple[int, int, int] | None = None


@contextmanager
def startup_objects_frozen() -> Iterator[None]:
    """For the block: collect once, freeze what is alive (`gc.freeze`), collect the young
    generation less often; on leaving, unfreeze and restore the thresholds, so a long-lived
    process (`nianbao serve`, tests) does not keep garbage frozen. Nested or concurrent blocks
    share one freeze, undone when the last one leaves."""
    global _depth, _saved_thresholds
    with _lock:
        _depth += 1
        if _depth == 1:
            gc.collect()
            gc.freeze()
            _saved_thresholds = gc.get_threshold()
            gc.set_threshold(CRAWL_GEN0_THRESHOLD, *_saved_thresholds[1:])
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.unfreeze()
                if _saved_thresholds is not None:
                    gc.set_threshold(*_saved_thresholds)
                _saved_thresholds = None
