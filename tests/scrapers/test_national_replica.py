"""The national benchmark's districts (replicas/national.py) are what they claim to be, read by
the real discovery over HTTP: every agency finds its own reports and no other's, in a shared
column and in columns of their own, and the late report appears only once published."""

from __future__ import annotations

from collections import Counter

import pytest

from replicas.national import build_district, district_sizes, national_replica
from replicas.server import ReplicaServer
from scrapers.discover import discover
from scrapers.fetcher import Fetcher
from scrapers.titles import agency_matches

YEARS = (2023, 2024)
AGENCIES = 14  # past the twelve unit names: 「第2财政局」 beside 「财政局」


def _found(fetcher: Fetcher, layout: str, late_published: bool) -> dict[str, list[tuple[str, int]]]:
    """Per agency: (title, year) of the reports its own entry column lists that name it."""
    routes, agencies = build_district(0, AGENCIES, YEARS, layout, late_published=late_published)
    with ReplicaServer(routes) as portal:
        host = f"127.0.0.1:{portal.port}"
        out = {}
        for a in agencies:
            result = discover(portal.url(a.entry_path), fetcher, [host])
            assert result.errors == [], a
            out[a.name] = [(r.title, r.year) for r in result.reports if agency_matches(r.agency, a.name)]
    return out


@pytest.mark.parametrize("layout", ["shared", "own"])
def test_every_agency_finds_its_own_reports_and_the_late_one_only_once_published(
    fetcher: Fetcher, layout: str
) -> None:
    before = _found(fetcher, layout, late_published=False)
    assert len(before) == AGENCIES
    names = list(before)
    for name, reports in before.items():
        want = set(YEARS) - ({max(YEARS)} if name == names[-1] else set())
        assert Counter(year for _, year in reports) == Counter(want), name
        assert all(title.startswith(name) for title, _ in reports), name
    after = _found(fetcher, layout, late_published=True)
    assert Counter(y for _, y in after[names[-1]]) == Counter(YEARS)
    assert {n: r for n, r in after.items() if n != names[-1]} == {
        n: r for n, r in before.items() if n != names[-1]
    }


def test_a_shared_column_serves_every_agency_and_own_columns_one_each() -> None:
    for layout, columns in (("shared", 1), ("own", AGENCIES)):
        _routes, agencies = build_district(0, AGENCIES, YEARS, layout)
        assert len({a.entry_path for a in agencies}) == columns


def test_districts_sit_under_their_own_prefix_and_spread_around_the_mean() -> None:
    sizes = district_sizes(5, 40)
    assert sizes == [20, 30, 40, 50, 60] and district_sizes(1, 39) == [39]
    routes, agencies = national_replica([3, 4], YEARS, "shared")
    assert Counter(a.district for a in agencies) == {0: 3, 1: 4}
    assert all(a.entry_path.startswith(f"/n{a.district}/") for a in agencies)
    assert {p.split("/")[1] for p in routes} == {"n0", "n1"}
    with pytest.raises(ValueError, match="two years"):
        build_district(0, 3, (2024,), "own")
