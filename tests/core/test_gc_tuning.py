"""The collector during a crawl: startup objects frozen, garbage still collected, all undone after."""

from __future__ import annotations

import gc
import threading
import weakref

from nianbao.runtime.gc_tuning import CRAWL_GEN0_THRESHOLD, startup_objects_frozen


class Node:
    """A reference cycle, as a parsed HTML tree makes (children point at their parent)."""

    def __init__(self) -> None:
        self.me = self


def test_objects_alive_at_entry_are_frozen_and_thawed_after() -> None:
    before = gc.get_threshold()
    kept = Node()
    with startup_objects_frozen():
        assert gc.get_freeze_count() > 0
        assert all(obj is not kept for obj in gc.get_objects())
        assert gc.get_threshold()[0] == CRAWL_GEN0_THRESHOLD
    assert gc.get_freeze_count() == 0
    assert any(obj is kept for obj in gc.get_objects())
    assert gc.get_threshold() == before


def test_garbage_made_before_entry_is_collected_not_frozen() -> None:
    cycle = Node()
    gone = weakref.ref(cycle)
    del cycle
    with startup_objects_frozen():
        assert gone() is None


def test_garbage_made_inside_is_still_collected() -> None:
    with startup_objects_frozen():
        cycle = Node()
        gone = weakref.ref(cycle)
        del cycle
        gc.collect()
        assert gone() is None


def test_nested_and_concurrent_blocks_share_one_freeze() -> None:
    inside, leave = threading.Event(), threading.Event()

    def other_run() -> None:
        with startup_objects_frozen():
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=other_run)
    with startup_objects_frozen():
        thread.start()
        assert inside.wait(5)
        with startup_objects_frozen():
            pass
        assert gc.get_freeze_count() > 0  # the inner block left; the outer ones still crawl
    assert gc.get_freeze_count() > 0  # the other thread's run is still going
    leave.set()
    thread.join(5)
    assert gc.get_freeze_count() == 0
