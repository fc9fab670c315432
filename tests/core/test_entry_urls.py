"""Each agency task asks for its own agencies' entry URLs; the answer must be exactly theirs,
read from their rows only (reading every agency's row per task made a run quadratic)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event

from models.db import get_engine, migrate, session_scope
from models.tables import Agency, Jurisdiction, row_id
from nianbao.crawl import lookup
from nianbao.runtime.settings import Settings


def _registry(url: str, n: int) -> None:
    migrate(url)
    with session_scope(url) as s:
        j = Jurisdiction(code="d", name="某区")
        s.add(j)
        s.flush()
        for i in range(n):
            urls = [f"http://h{i % 7}.test/a{i}/"] if i % 5 else []
            s.add(Agency(code=f"a{i:04d}", name=f"机关{i}", jurisdiction_id=row_id(j), entry_urls=urls))


def test_only_the_asked_agencies_and_all_of_them(db_url: str, tmp_path: Path) -> None:
    url = db_url
    _registry(url, 1203)
    settings = Settings(database_url=url, data_dir=tmp_path)
    asked = [f"a{i:04d}" for i in range(0, 1203, 1)] + ["no-such-agency"]
    got = lookup.entry_urls(settings, asked)
    assert set(got) == {f"a{i:04d}" for i in range(1203)}
    assert got["a0001"] == ["http://h1.test/a1/"] and got["a0005"] == []

    few = lookup.entry_urls(settings, ["a0002", "a1202"])
    assert few == {"a0002": ["http://h2.test/a2/"], "a1202": ["http://h5.test/a1202/"]}


def test_a_few_codes_are_looked_up_by_code_not_by_reading_the_table(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'f.db'}"
    _registry(url, 300)
    settings = Settings(database_url=url, data_dir=tmp_path)
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = get_engine(url)
    event.listen(engine, "before_cursor_execute", record)
    try:
        lookup.entry_urls(settings, ["a0002", "a0100"])
    finally:
        event.remove(engine, "before_cursor_execute", record)
    selects = [st for st in statements if st.lstrip().upper().startswith("SELECT")]
    assert selects and all(" IN " in st.upper() for st in selects)
