"""SQLite writers of one process queue for the write lock instead of timing out on it."""

from __future__ import annotations

import threading
import time

import pytest

from models.db import session_scope
from models.tables import CrawlRun


def _write(url: str, hold: float, label: str) -> None:
    with session_scope(url) as s:
        s.add(CrawlRun(trigger="test", scope=label))
        s.flush()  # the write lock is taken here …
        time.sleep(hold)  # … and held while the transaction goes on


@pytest.mark.slow  # threads holding the write lock in turn
def test_many_threads_writing_all_get_their_turn(sqlite_url: str) -> None:
    """8 threads × 3 transactions of 0.2 s each need ≈5 s in turn; SQLite alone would give up
    on a waiting thread after the 0.3 s busy timeout ("database is locked")."""
    url = sqlite_url + "?timeout=0.3"
    failures: list[BaseException] = []

    def worker(k: int) -> None:
        for i in range(3):
            try:
                _write(url, 0.2, f"{k}-{i}")
            except BaseException as exc:  # collected for the assertion
                failures.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures[:2]
    with session_scope(url) as s:
        assert len(s.query(CrawlRun).all()) == 24


def test_readers_do_not_wait_for_a_writer(sqlite_url: str) -> None:
    url = sqlite_url + "?timeout=0.3"
    writing = threading.Event()
    done = threading.Event()

    def writer() -> None:
        with session_scope(url) as s:
            s.add(CrawlRun(trigger="test", scope="slow"))
            s.flush()
            writing.set()
            done.wait(5)

    t = threading.Thread(target=writer)
    t.start()
    assert writing.wait(5)
    with session_scope(url) as s:
        assert s.query(CrawlRun).all() == []  # WAL: the uncommitted row is not seen
    still_writing = t.is_alive()  # a reader that had queued behind the writer would find it gone
    done.set()
    t.join()
    assert still_writing


def test_a_failed_transaction_gives_the_lock_back(sqlite_url: str) -> None:
    url = sqlite_url + "?timeout=0.3"
    with pytest.raises(ZeroDivisionError), session_scope(url) as s:
        s.add(CrawlRun(trigger="test", scope="failed"))
        s.flush()
        1 / 0  # noqa: B018 - the failure under test
    finished = threading.Event()

    def write_after() -> None:
        _write(url, 0, "after")
        finished.set()

    t = threading.Thread(target=write_after)
    t.start()
    t.join(5)
    assert finished.is_set(), "another thread could not write after a rolled-back transaction"
    with session_scope(url) as s:
        assert [r.scope for r in s.query(CrawlRun).all()] == ["after"]


def test_two_engines_on_one_file_share_the_queue(sqlite_url: str) -> None:
    """Another URL for the same file is another engine; its writers still wait their turn
    (an engine's own lock let the second write meet SQLite's lock and give up)."""
    from sqlmodel import Session

    from models.sqlite import sqlite_engine

    first, second = sqlite_engine(sqlite_url + "?timeout=0.2"), sqlite_engine(sqlite_url + "?timeout=0.2")
    holding, failures = threading.Event(), []

    def hold() -> None:
        with Session(first) as s:
            s.add(CrawlRun(trigger="test", scope="first"))
            s.flush()
            holding.set()
            time.sleep(0.6)
            s.commit()

    t = threading.Thread(target=hold)
    t.start()
    assert holding.wait(5)
    try:
        with Session(second) as s:
            s.add(CrawlRun(trigger="test", scope="second"))
            s.commit()
    except Exception as exc:  # collected for the assertion
        failures.append(exc)
    t.join()
    assert not failures, failures
    with Session(first) as s:
        assert sorted(r.scope for r in s.query(CrawlRun).all()) == ["first", "second"]
    first.dispose()
    second.dispose()


def test_threads_asking_for_a_new_engine_at_once_get_one(tmp_path) -> None:
    from models.db import get_engine

    url = f"sqlite:///{tmp_path / 'race.db'}"
    start = threading.Barrier(8)
    engines: list[object] = []

    def ask() -> None:
        start.wait()
        engines.append(get_engine(url))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(engines) == 8 and len({id(e) for e in engines}) == 1


def test_a_session_handed_back_warns_nothing(sqlite_url: str) -> None:
    """The pool's reset listener (it gives the write lock back) takes SQLAlchemy 2's arguments:
    the old form warned on every check-in, a cost paid by every agency's crawl."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for label in ("a", "b"):
            _write(sqlite_url, 0, label)
    assert not caught, [str(w.message)[:200] for w in caught]
