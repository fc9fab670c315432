"""Every alert kind is declared once (alerts/kinds.py) with its four templates, and nothing else
names a kind: a new kind is one entry plus its templates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from alerts.kinds import KINDS, kind_title
from alerts.render import TEMPLATE_DIR, render_body, render_subject

PARTS = ("subject", "txt", "md", "item")
SHARED = {"_macros", "_item", "subject", "digest", "_generic"}


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_kind_has_its_templates(name: str) -> None:
    for part in PARTS:
        assert (TEMPLATE_DIR / f"{name}.{part}.j2").is_file(), f"{name}.{part}.j2 missing"


def test_every_template_belongs_to_a_kind() -> None:
    for path in Path(TEMPLATE_DIR).glob("*.j2"):
        stem = path.name.split(".")[0]
        assert stem in KINDS or stem in SHARED, f"{path.name}: no such kind in alerts/kinds.py"


def test_dedup_keys_name_their_kind_or_event() -> None:
    for kind in KINDS.values():
        fields = re.findall(r"\{(\w+)\}", kind.key)
        key = kind.dedup_key(**{f: "x" for f in fields})
        assert "{" not in key and key.split(":")[0] in (kind.name, "finding")


def test_a_kind_unknown_to_this_code_still_renders_its_subject() -> None:
    """An alert stored by a newer version must still go out with a readable subject."""
    assert (
        render_subject("newer_kind", "info", {"agency_name": "某局", "year": 2024})
        == "【newer_kind】某局2024年度"
    )
    assert kind_title("newer_kind") == "newer_kind"
    with pytest.raises(ValueError):
        render_body("newer_kind", "info", {})


def test_good_news_kinds() -> None:
    assert {k.name for k in KINDS.values() if k.good_news} == {"published", "resolved", "health_recovered"}


def test_a_kind_gives_the_severity_it_fixes_and_one_that_takes_its_findings_refuses() -> None:
    from alerts.kinds import FINDING, HEALTH

    assert HEALTH.fixed_severity == "warning"
    with pytest.raises(ValueError, match="finding takes its finding's severity"):
        _ = FINDING.fixed_severity
