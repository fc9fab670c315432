"""Units a portal publishes reports for that the registry does not know yet."""

from __future__ import annotations

from collections.abc import Iterable

from scrapers.discover import DiscoveredReport, DiscoveryResult
from scrapers.titles import agency_matches, normalise_title


def unregistered_units(
    results: Iterable[DiscoveryResult | DiscoveredReport],
    registry_agencies: Iterable[str | tuple[str, Iterable[str]]],
) -> list[str]:
    """Agency names found on portals that match no registry agency (so the office can add them).

    `registry_agencies` holds names, or (name, short_names) pairs. Output is de-duplicated
    (whitespace-insensitive), in first-seen order; reports naming no agency are skipped.
    """
    registry = [(r, ()) if isinstance(r, str) else (r[0], tuple(r[1])) for r in registry_agencies]
    found: list[str] = []
    seen: set[str] = set()
    for res in results:
        for report in res.reports if isinstance(res, DiscoveryResult) else [res]:
            name = normalise_title(report.agency)
            if not name or name in seen:
                continue
            seen.add(name)
            if not any(agency_matches(name, reg, short) for reg, short in registry):
                found.append(name)
    return found
