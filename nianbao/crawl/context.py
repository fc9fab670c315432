"""What the checks of one report need besides the report: the agency's level, last year's
report (read back from the database through a small LRU of decoded reports) and the
district's other reports' section 五 (for copied text)."""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlmodel import Session, col, select

from models import queries
from models.tables import Agency, Jurisdiction, Report, row_id
from reports.checks.base import CheckContext, PeerText
from reports.levels import agency_level
from reports.model import ParsedReport


class StoredReports:
    """Parsed reports read back from `Report.cells`, kept by (database, id, content hash).

    Last year's report is read for every check of an agency's report, and an agency's report
    is checked more than once in a run when another version lands meanwhile, by `revalidate`,
    and so on. Report rows are never changed once written (a new version is a new row), so an
    entry can not go stale; the least recently used ones are dropped beyond `size` (a decoded
    report holds a few hundred KB), so memory stays flat however many agencies a run covers.
    """

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, int, str], ParsedReport] = OrderedDict()
        self._lock = threading.Lock()

    def load(self, session: Session, db_url: str, rows: list[tuple[int, str]]) -> list[ParsedReport]:
        """The reports with these (id, content_sha256), in order; missing cells are left out."""
        keys = [(db_url, rid, sha) for rid, sha in rows]
        with self._lock:
            known = {k: self._items[k] for k in keys if k in self._items}
            for k in known:
                self._items.move_to_end(k)
        missing = [k[1] for k in keys if k not in known]
        if missing:
            fetched = session.exec(
                select(Report.id, Report.content_sha256, Report.cells).where(col(Report.id).in_(missing))
            ).all()
            with self._lock:
                for rid, sha, cells in fetched:
                    if cells and rid is not None:  # the key column is typed int | None
                        key = (db_url, rid, sha)
                        known[key] = self._items[key] = ParsedReport.model_validate(cells)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return [known[k] for k in keys if k in known]


stored_reports = StoredReports()


def _db_url(session: Session) -> str:
    return session.get_bind().engine.url.render_as_string(hide_password=False)


def _previous_report(session: Session, agency_id: int, year: int) -> ParsedReport | None:
    rows = session.exec(
        queries.CURRENT_REPORT_DIGEST, params={"agency_id": agency_id, "year": year - 1}
    ).all()
    found = stored_reports.load(
        session, _db_url(session), [(rid, sha) for rid, sha in rows[:1] if rid is not None]
    )
    return found[0] if found else None


def _peer_texts(session: Session, agency: Agency, year: int) -> list[PeerText]:
    """Section 五 of the district's other current reports of `year`, under their registry names.
    Only that part of each stored report is read (a JSON path in the query), so checking a
    district costs neither decoding its reports nor keeping them."""
    params = {"jurisdiction_id": agency.jurisdiction_id, "agency_id": agency.id, "year": year}
    rows = session.exec(queries.PEER_PROBLEMS_SECTIONS, params=params).all()
    return [PeerText(agency=name, year=yr, problems=_section_text(section)) for name, yr, section in rows]


def _section_text(section: object) -> str:
    """A stored section's text, "" when the parser found no such section."""
    if isinstance(section, dict) and section.get("present"):
        return str(section.get("text") or "")
    return ""


def check_context(
    session: Session, agency: Agency, year: int, jurisdiction: Jurisdiction | None = None
) -> CheckContext:
    """What the checks of the agency's `year` report compare with; `jurisdiction`: the agency's
    district when the caller holds it already."""
    if jurisdiction is None:
        jurisdiction = session.get(Jurisdiction, agency.jurisdiction_id)
    return CheckContext(
        agency_kind=agency.kind,
        agency_level=agency_level(
            agency.kind,
            jurisdiction.level if jurisdiction else None,
            jurisdiction.name if jurisdiction else None,
            agency.name,
        ),
        previous=_previous_report(session, row_id(agency), year),
        peers=_peer_texts(session, agency, year),
    )
