"""`to_public_json` of every seed has exactly the key set documented in docs/check-json.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reports.checks import run_checks
from reports.checks.base import CheckContext
from reports.form import (
    SECTION_KEYS,
    TABLE2_ROWS,
    TABLE3_COLUMNS,
    TABLE3_ROWS_F2021,
    TABLE4_CELLS,
    TABLE4_GROUPS,
)
from reports.parse import parse_text

from .helpers import SEEDS, seed_text

DOC = Path(__file__).resolve().parents[2] / "docs" / "check-json.md"
SEED_NAMES = sorted(p.stem for p in SEEDS.glob("*.txt"))


def documented() -> dict[str, list[str]]:
    block = re.search(r"```keys\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert block, "docs/check-json.md lost its ```keys block"
    out: dict[str, list[str]] = {}
    for line in block.group(1).strip().splitlines():
        name, _, keys = line.partition(":")
        out[name.strip()] = keys.split()
    return out


def test_documented_keys_are_the_spec_keys() -> None:
    keys = documented()
    assert keys["sections"] == list(SECTION_KEYS)
    assert keys["requests.rows"] == [r.key for r in TABLE3_ROWS_F2021] and len(keys["requests.rows"]) == 25
    assert keys["requests.columns"] == list(TABLE3_COLUMNS) and len(keys["requests.columns"]) == 7
    assert keys["review_litigation.groups"] == list(TABLE4_GROUPS) and len(TABLE4_GROUPS) == 3
    assert keys["review_litigation.cells"] == list(TABLE4_CELLS) and len(TABLE4_CELLS) == 5
    for row, cells in TABLE2_ROWS.items():
        assert keys[f"proactive.{row}"] == list(cells)


def test_there_are_seeds() -> None:
    assert len(SEED_NAMES) == 4


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_json_matches_documented_shape(name: str) -> None:
    keys = documented()
    report = parse_text(seed_text(name))
    findings = run_checks(report, CheckContext(agency_kind="department"))
    data = report.to_public_json([f.to_json() for f in findings])
    assert list(data) == keys["top"]
    assert list(data["sections"]) == keys["sections"]
    assert all(isinstance(v, bool) for v in data["sections"].values())
    for row, cells in data["proactive"].items():
        assert list(cells) == keys[f"proactive.{row}"]
    assert list(data["requests"]) == keys["requests.rows"]
    for row in data["requests"].values():
        assert list(row) == keys["requests.columns"]
        assert all(v is None or isinstance(v, int) for v in row.values())
    assert list(data["review_litigation"]) == keys["review_litigation.groups"]
    for group in data["review_litigation"].values():
        assert list(group) == keys["review_litigation.cells"]
    for f in data["findings"]:
        assert list(f) == keys["finding"]
        assert f["severity"] in ("error", "warning", "info")
        assert f["status"] in ("fail", "cannot_assess")
        assert isinstance(f["evidence"], dict) and f["message"]
    for p in data["problems"]:
        assert list(p) == keys["problem"] and p["reason"]


def test_check_json_carries_the_reason_a_document_could_not_be_read(tmp_path) -> None:
    """The text output printed why a file could not be read; --json dropped it (issue 21)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    garbage = tmp_path / "report.txt"
    garbage.write_bytes(bytes(range(256)) * 8)  # binary noise, not text
    out = subprocess.run(
        [str(Path(sys.executable).parent / "nianbao"), "check", "--json", str(garbage)],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(out.stdout)
    assert data["problems"], data
    assert any(p["where"] == "document" and "不是可读的文本" in p["reason"] for p in data["problems"])
    assert list(data["problems"][0]) == documented()["problem"]
