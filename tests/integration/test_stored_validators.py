"""The validators a crawl sends come from the store: asked one URL at a time for the first few
requests, then read for the whole district in one query (a shared column asks for every
article of the district, for each agency). Both ways give the same answer for every URL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from models.db import get_engine, session_scope
from models.tables import Agency, Document, Jurisdiction, row_id
from nianbao.crawl.cache import SINGLE_LOOKUPS, stored_validators

HOST = "portal.example:8080"
T0 = datetime(2025, 1, 10, tzinfo=UTC)


Expected = dict[str, tuple[str | None, str | None] | None]


def _store(url: str) -> tuple[int, Expected]:
    """A district of two agencies and a neighbour district: the district's id, and what each
    URL must give."""
    with session_scope(url) as s:
        here, there = Jurisdiction(code="d1", name="一区"), Jurisdiction(code="d2", name="二区")
        s.add_all([here, there])
        s.flush()
        a = Agency(code="a", name="甲局", jurisdiction_id=row_id(here))
        b = Agency(code="b", name="乙局", jurisdiction_id=row_id(here))
        c = Agency(code="c", name="丙局", jurisdiction_id=row_id(there))
        s.add_all([a, b, c])
        s.flush()

        def doc(agency: Agency, path: str, sha: str, etag: str | None, lm: str | None, days: int) -> None:
            s.add(
                Document(
                    agency_id=row_id(agency), url=f"http://{HOST}{path}", sha256=sha, etag=etag,
                    last_modified=lm, last_seen=T0 + timedelta(days=days),
                )
            )  # fmt: skip

        expected: Expected = {}
        for i in range(2 * SINGLE_LOOKUPS):
            owner = a if i % 2 else b
            doc(owner, f"/art/{i}.html", f"s{i}", f'"e{i}"', None, i)
            expected[f"http://{HOST}/art/{i}.html"] = (f'"e{i}"', None)
        doc(a, "/art/0.html", "s0-new", '"e0-new"', "Mon, 13 Jan 2025 08:00:00 GMT", 40)  # a newer version
        expected[f"http://{HOST}/art/0.html"] = ('"e0-new"', "Mon, 13 Jan 2025 08:00:00 GMT")
        doc(a, "/art/0.html", "s0-bare", None, None, 50)  # newest, but no validators: not chosen
        doc(b, "/plain.html", "p", None, None, 1)  # stored without validators
        expected[f"http://{HOST}/plain.html"] = None
        doc(c, "/theirs.html", "t", '"t"', None, 1)  # another district's document
        expected[f"http://{HOST}/theirs.html"] = None
        expected["http://elsewhere.example/art/1.html"] = None  # not on the agency's hosts
        return row_id(here), expected


def test_one_url_at_a_time_then_the_district_in_one_query_give_the_same_answers(db_url: str) -> None:
    jurisdiction_id, expected = _store(db_url)
    urls = list(expected)
    selects: list[str] = []

    def executed(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    engine = get_engine(db_url)
    event.listen(engine, "before_cursor_execute", executed)
    try:
        with session_scope(db_url) as s:
            lookup = stored_validators(s, jurisdiction_id, [HOST])
            got = {u: lookup(u) for u in urls}
            again = {u: lookup(u) for u in urls}  # answered from the district's read
    finally:
        event.remove(engine, "before_cursor_execute", executed)
    assert got == expected
    assert again == expected
    assert len(urls) > SINGLE_LOOKUPS + 2
    assert len(selects) == SINGLE_LOOKUPS + 1, selects  # the first few one by one, then one for the rest


def test_a_crawl_that_asks_little_never_reads_the_district(db_url: str) -> None:
    """An agency's own column makes a few requests: only those URLs are asked."""
    jurisdiction_id, expected = _store(db_url)
    selects: list[str] = []

    def executed(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    engine = get_engine(db_url)
    with session_scope(db_url) as s:
        lookup = stored_validators(s, jurisdiction_id, [HOST])
        event.listen(engine, "before_cursor_execute", executed)
        try:
            first = [u for u in expected if HOST in u][:3]
            assert [lookup(u) for u in first] == [expected[u] for u in first]
        finally:
            event.remove(engine, "before_cursor_execute", executed)
    assert len(selects) == 3 and all("LIMIT" in q.upper() for q in selects), selects
