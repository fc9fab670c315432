"""Last year's report for the checks comes from a bounded cache of decoded reports; it must
never hand one database's report to another, nor grow without bound. Peers are read as their
section 五 only, under their registry names."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from models.db import migrate, session_scope
from models.tables import Agency, Jurisdiction, row_id
from nianbao.crawl.context import StoredReports, check_context, stored_reports
from nianbao.store.record import FetchedBytes, record_document, record_report
from reports.checks import PeerText
from reports.parse import parse_path
from tests.conftest import seed_path

SEEDS = ["zhanhe-gongxin-2024.txt", "zhanhe-yingji-2024.txt", "jianxi-gongxin-2024.txt"]


def _district(url: str, tmp: Path, seeds: list[str]) -> None:
    """One district, an agency per seed, each with its seed report for 2024."""
    migrate(url)
    with session_scope(url) as s:
        j = Jurisdiction(code="d", name="某区")
        s.add(j)
        s.flush()
        for i, seed in enumerate(seeds):
            agency = Agency(code=f"a{i}", name=f"机关{i}", jurisdiction_id=row_id(j))
            s.add(agency)
            s.flush()
            data = seed_path(seed).read_bytes()
            doc, _ = record_document(
                s,
                agency_id=agency.id,
                fetched=FetchedBytes(url=f"http://x/{seed}.txt", content=data),
                raw_root=tmp,
            )
            parsed = parse_path(seed_path(seed))
            record_report(
                s, agency=agency, year=2024, parsed=parsed, document=doc, url=doc.url, title=parsed.title,
                published_at=None, published_at_source=None,
            )  # fmt: skip


def _previous_title(url: str, code: str) -> str | None:
    """The title of the agency's previous report as the 2025 checks see it (its 2024 report)."""
    with session_scope(url) as s:
        agency = s.exec(select(Agency).where(Agency.code == code)).one()
        previous = check_context(s, agency, 2025).previous
        return None if previous is None else previous.title


def _peers(url: str, code: str) -> list[PeerText]:
    with session_scope(url) as s:
        agency = s.exec(select(Agency).where(Agency.code == code)).one()
        return check_context(s, agency, 2024).peers


def test_two_databases_with_the_same_report_ids_keep_their_own_reports(tmp_path: Path) -> None:
    a = f"sqlite:///{tmp_path / 'a.db'}"
    b = f"sqlite:///{tmp_path / 'b.db'}"
    _district(a, tmp_path, SEEDS)
    _district(b, tmp_path, list(reversed(SEEDS)))  # same ids, other reports behind them
    titles = {seed: parse_path(seed_path(seed)).title for seed in SEEDS}
    assert _previous_title(a, "a0") == titles[SEEDS[0]]
    assert _previous_title(b, "a0") == titles[SEEDS[2]]
    assert _previous_title(a, "a2") == titles[SEEDS[2]]
    assert _previous_title(b, "a2") == titles[SEEDS[0]]


def test_peers_are_the_other_agencies_section_five_under_their_registry_names(
    db_url: str, tmp_path: Path
) -> None:
    url = db_url  # SQLite and PostgreSQL: the section is read with a JSON path in the query
    _district(url, tmp_path, SEEDS)
    parsed = [PeerText.of(parse_path(seed_path(seed))) for seed in SEEDS]
    assert all(len(p.problems) > 50 for p in parsed)  # the seeds do have a section 五
    assert _peers(url, "a1") == [
        PeerText(agency="机关0", year=2024, problems=parsed[0].problems),
        PeerText(agency="机关2", year=2024, problems=parsed[2].problems),
    ]


def test_cache_is_bounded_and_serves_repeats_without_decoding(tmp_path: Path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    _district(url, tmp_path, SEEDS)
    cache = StoredReports(size=2)
    monkeypatch.setattr("nianbao.crawl.context.stored_reports", cache)
    decoded = []
    real = StoredReports.load

    from reports.model import ParsedReport

    original_validate = ParsedReport.model_validate

    def counting(cls, obj, *args, **kwargs):
        decoded.append(1)
        return original_validate(obj, *args, **kwargs)

    monkeypatch.setattr(ParsedReport, "model_validate", classmethod(counting))
    first = [_previous_title(url, "a0"), _previous_title(url, "a1")]  # decodes both
    again = [_previous_title(url, "a0"), _previous_title(url, "a1")]  # both cached
    assert first == again and len(decoded) == 2
    _peers(url, "a0")  # peers decode nothing
    assert len(decoded) == 2
    _previous_title(url, "a2")  # decoded, evicts the oldest (a0's)
    assert len(decoded) == 3 and len(cache._items) == 2
    _previous_title(url, "a1")  # still cached
    assert len(decoded) == 3
    _previous_title(url, "a0")  # evicted: decoded again
    assert len(decoded) == 4
    assert real is StoredReports.load and stored_reports is not cache
