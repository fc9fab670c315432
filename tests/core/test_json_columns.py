"""A report version's cells are written from pydantic's own JSON and read back as the dict
`model_dump(mode="json")` gives, on SQLite and PostgreSQL; Chinese text is stored as UTF-8."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlmodel import select

from models.db import migrate, session_scope
from models.json_text import JsonText, dump_json
from models.tables import Agency, Jurisdiction, Report, row_id
from nianbao.store.record import FetchedBytes, record_document, record_report
from reports.parse import parse_path
from tests.conftest import seed_path


def test_serialised_text_is_stored_as_it_is_and_other_values_as_utf8_json() -> None:
    assert dump_json(JsonText('{"a":1}')) == '{"a":1}'
    assert dump_json({"名称": "某区"}) == '{"名称": "某区"}'
    assert dump_json([1, None, "x"]) == '[1, null, "x"]'


def test_recorded_cells_read_back_as_the_parsed_report(db_url: str, tmp_path: Path) -> None:
    seed = seed_path("zhanhe-gongxin-2024.txt")
    parsed = parse_path(seed)
    migrate(db_url)
    with session_scope(db_url) as s:
        j = Jurisdiction(code="d", name="某区")
        s.add(j)
        s.flush()
        agency = Agency(code="a", name="某局", jurisdiction_id=row_id(j))
        s.add(agency)
        s.flush()
        doc, _ = record_document(
            s, agency_id=agency.id, fetched=FetchedBytes(url="http://x/r.txt", content=seed.read_bytes()),
            raw_root=tmp_path,
        )  # fmt: skip
        recorded = record_report(
            s, agency=agency, year=2024, parsed=parsed, document=doc, url=doc.url, title=parsed.title,
            published_at=None, published_at_source=None,
        )  # fmt: skip
        expected = parsed.model_dump(mode="json", exclude={"text"})
        assert recorded.report.cells == expected  # the new row's own attribute, in the same session
    with session_scope(db_url) as s:
        stored = s.exec(select(Report)).one()
        assert stored.cells == expected
        raw = s.connection().execute(text("SELECT CAST(cells AS TEXT) FROM report")).scalar_one()
        assert parsed.title and parsed.title in raw  # UTF-8, not \u escapes
