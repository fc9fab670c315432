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


def test_the_head_revision_constant_is_the_newest_migration() -> None:
    """`migrate` trusts HEAD_REVISION to skip Alembic on a current database: a new migration
    file without the constant moved on would leave every database unmigrated."""
    from alembic.script import ScriptDirectory

    from models.db import HEAD_REVISION, MIGRATIONS_DIR

    assert ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head() == HEAD_REVISION


def test_a_current_database_is_checked_without_alembic_and_an_old_one_still_migrates(tmp_path: Path) -> None:
    import subprocess
    import sys

    from models.db import HEAD_REVISION, schema_revision

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    migrate(url, "0003")
    assert schema_revision(url) == "0003"
    code = "import sys; from models.db import migrate; migrate(sys.argv[1]); print('alembic' in sys.modules)"
    run = [sys.executable, "-c", code, url]
    assert subprocess.run(run, capture_output=True, text=True, check=True).stdout.strip() == "True"
    assert schema_revision(url) == HEAD_REVISION  # the old one was brought to the newest
    assert subprocess.run(run, capture_output=True, text=True, check=True).stdout.strip() == "False"
