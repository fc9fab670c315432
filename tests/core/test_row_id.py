"""`row_id`: the primary key of a stored row, refused for one never flushed (whose id is None)."""

from __future__ import annotations

import pytest

from models.db import session_scope
from models.tables import CrawlRun, row_id


def test_a_flushed_row_gives_its_id_and_an_unflushed_one_is_refused(sqlite_url: str) -> None:
    run = CrawlRun(trigger="test", scope="row-id")
    with pytest.raises(ValueError, match="CrawlRun has no id"):
        row_id(run)
    with session_scope(sqlite_url) as s:
        s.add(run)
        s.flush()
        assert run.id is not None
        assert row_id(run) == run.id
