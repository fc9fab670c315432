"""A crawl finds its agency and the agency's district together, by registry code in one query,
and by id, full name or short name as a person types them; an unknown one is said in Chinese."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from models.db import get_engine, migrate, session_scope
from models.tables import Agency, Jurisdiction, row_id
from nianbao.crawl.lookup import AgencyNotFound, resolve_agency_and_district


def _registered(url: str) -> int:
    migrate(url)
    with session_scope(url) as s:
        j = Jurisdiction(code="zh", name="湛河区")
        s.add(j)
        s.flush()
        agency = Agency(code="zh-yj", name="湛河区应急管理局", short_names=["区应急局"], jurisdiction_id=row_id(j))
        s.add(agency)
        s.flush()
        return row_id(agency)


def test_agency_and_district_by_every_reference(db_url: str) -> None:
    agency_id = _registered(db_url)
    for ref in ("zh-yj", " zh-yj ", str(agency_id), "湛河区应急管理局", "区应急局"):
        with session_scope(db_url) as s:
            agency, district = resolve_agency_and_district(s, ref)
            assert (agency.code, district.code, district.name) == ("zh-yj", "zh", "湛河区"), ref
    with session_scope(db_url) as s, pytest.raises(AgencyNotFound, match="未找到单位“zh-yi”"):
        resolve_agency_and_district(s, "zh-yi")


def test_a_registry_code_costs_one_query(db_url: str) -> None:
    _registered(db_url)
    statements: list[str] = []
    engine = get_engine(db_url)

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with session_scope(db_url) as s:
            _agency, district = resolve_agency_and_district(s, "zh-yj")
            assert s.get(Jurisdiction, district.id) is district  # held: asked again, not loaded again
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 1, statements
