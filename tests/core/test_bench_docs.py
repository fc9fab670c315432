"""Each benchmark rewrites only its own section of docs/benchmarks.md."""

from __future__ import annotations

import re
from pathlib import Path

from bench.docs import DOC, replace_section


def test_a_section_is_replaced_in_place_and_the_others_kept(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(
        "# Benchmarks\n\n## Parsing\n\nold parse\n\n## Orchestration\n\nold sqlite\n\n"
        "## Orchestration, monitor on PostgreSQL, Prefect server on PostgreSQL\n\nold pg\n",
        encoding="utf-8",
    )
    replace_section("## Orchestration", "## Orchestration\n\nnew sqlite \\| 1\n", doc)
    text = doc.read_text(encoding="utf-8")
    assert "old sqlite" not in text and "new sqlite \\| 1" in text  # backslashes stay
    assert "old parse" in text and "old pg" in text  # a longer heading is another section
    assert text.index("## Parsing") < text.index("new sqlite") < text.index("monitor on PostgreSQL")
    replace_section("## Crawling", "## Crawling\n\nnew crawl", doc)
    text = doc.read_text(encoding="utf-8")
    assert text.endswith("old pg\n\n## Crawling\n\nnew crawl\n")


def test_rewriting_the_committed_sections_changes_nothing(tmp_path: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    copy = tmp_path / "benchmarks.md"
    copy.write_text(text, encoding="utf-8")
    sections = re.findall(r"^(## [^\n]+)\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert len(sections) >= 4
    for heading, body in sections:
        replace_section(heading, f"{heading}\n{body}", copy)
    assert copy.read_text(encoding="utf-8") == text
