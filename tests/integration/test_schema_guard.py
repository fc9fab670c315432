"""A flow run against a database the migrations have not reached stops at once and says what to
do (a worker upgraded before the migration ran), instead of failing halfway on a missing column."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.db import SchemaOutdated, migrate, require_current_schema
from nianbao.runtime.settings import get_settings


def test_the_guard_names_the_revision_and_the_fix(tmp_path: Path) -> None:
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    with pytest.raises(SchemaOutdated, match="revision none"):
        require_current_schema(empty)
    old = f"sqlite:///{tmp_path / 'old.db'}"
    migrate(old, "0001")
    with pytest.raises(SchemaOutdated, match=r"revision 0001, this code needs \d{4}.*nianbao agencies sync"):
        require_current_schema(old)
    migrate(old)
    require_current_schema(old)  # now current: no error


def test_a_flow_on_an_unmigrated_database_fails_before_any_work(
    tmp_path: Path, prefect_harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.monitor import check_deadlines_flow

    old = f"sqlite:///{tmp_path / 'old.db'}"
    migrate(old, "0002")
    monkeypatch.setenv("NIANBAO_DATABASE_URL", old)
    monkeypatch.setenv("NIANBAO_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        state = check_deadlines_flow(year=2024, return_state=True)
    finally:
        get_settings.cache_clear()
    assert state.is_failed()
    with pytest.raises(SchemaOutdated, match="revision 0002"):
        state.result()
