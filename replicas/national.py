"""Districts as a national cycle sees them: one portal host per district, its agencies' reports
over several years, in one shared column or one column per agency.

Why both layouts: the spec (§1) says a district publishes all its units' reports together in
its portal's 「政府信息公开」 column, so most agencies share one column with ~40 others and
several years of history; some portals give each department its own sub-column. The two
cost very different numbers of requests per agency, which is what the national plan
(deploy/README.md) is made of, so the simulation (`bench/national.py`) measures both.

District k is served under ``/n{k}`` (Hanweb jcms, `replicas.families.hanweb`): the route
table holds every district, and the registry points district k at host k only.
"""

from __future__ import annotations

from dataclasses import dataclass

from replicas.families import hanweb
from replicas.families.units import Pub, make_pubs, unit_name
from replicas.server import Route

LAYOUTS = ("shared", "own")
SHARED_COLUMN = 4_000


@dataclass(frozen=True)
class NationalAgency:
    district: int
    name: str
    entry_path: str  # the column its registry entry lists (shared or its own)


def _first_id(district: int) -> int:
    return 20_000_000 + district * 10_000


def district_pubs(district: int, agencies: int, years: tuple[int, ...], pdf_every: int) -> list[Pub]:
    """Every list entry of district `district`: reports and the usual look-alikes, newest first."""
    return make_pubs(
        f"全国{district}区",
        agencies,
        years,
        first_id=_first_id(district),
        lookalikes=True,
        pdf_every=pdf_every,
    )


def build_district(
    district: int,
    agencies: int,
    years: tuple[int, ...],
    layout: str,
    pdf_every: int = 3,
    late_published: bool = False,
) -> tuple[dict[str, Route], list[NationalAgency]]:
    """Routes of one district portal and its agencies. The last agency's report for the newest
    year is published late: absent until `late_published` (what a day in the deadline season
    changes on a portal)."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout is one of {LAYOUTS}")
    short, prefix = f"全国{district}区", f"/n{district}"
    names = [unit_name(short, i) for i in range(agencies)]
    pubs = [
        p
        for p in district_pubs(district, agencies, years, pdf_every)
        if late_published or not (p.agency == names[-1] and p.year == max(years))
    ]
    if layout == "shared":
        columns = [hanweb.Column(SHARED_COLUMN, f"{short}政府信息公开年报", pubs)]
        entry = {name: f"{prefix}/col/col{SHARED_COLUMN}/index.html" for name in names}
    else:  # one column per agency: its own reports, the look-alikes on the first one
        columns = [
            hanweb.Column(
                5_000 + i,
                f"{name}年报",
                [p for p in pubs if p.agency == name or (i == 0 and not p.is_report)],
            )
            for i, name in enumerate(names)
        ]
        if not all(c.pubs for c in columns):
            raise ValueError("the own layout needs two years or more (a column cannot be empty)")
        entry = {name: f"{prefix}/col/col{5_000 + i}/index.html" for i, name in enumerate(names)}
    routes, _want = hanweb.build(prefix, short, columns)
    return routes, [NationalAgency(district, name, entry[name]) for name in names]


def national_replica(
    sizes: list[int], years: tuple[int, ...], layout: str, pdf_every: int = 3, late_published: bool = False
) -> tuple[dict[str, Route], list[NationalAgency]]:
    """Routes of one district portal per entry of `sizes` (its number of agencies), and every agency."""
    routes: dict[str, Route] = {}
    everyone: list[NationalAgency] = []
    for k, agencies in enumerate(sizes):
        district_routes, members = build_district(k, agencies, years, layout, pdf_every, late_published)
        routes.update(district_routes)
        everyone.extend(members)
    return routes, everyone


def district_sizes(districts: int, mean: int) -> list[int]:
    """`districts` sizes spread evenly from half to one and a half times `mean` (districts differ;
    the spread lets a benchmark tell a run's fixed cost from its cost per agency)."""
    if districts == 1:
        return [mean]
    return [max(1, round(mean * (0.5 + i / (districts - 1)))) for i in range(districts)]
