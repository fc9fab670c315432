"""docs/benchmarks.md is written section by section, each section by its own benchmark."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def replace_section(heading: str, section: str, path: Path = DOC) -> None:
    """Put `section` (starting with its `heading` line) in place of the one under that exact
    heading, up to the next `## `, or append it; the other sections stay as they are."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.M | re.S)
    body = section.rstrip("\n") + "\n\n"
    if pattern.search(text):
        text = pattern.sub(lambda _: body, text, count=1)  # a function: the section's backslashes stay
    else:
        text = text.rstrip("\n") + "\n\n" + body
    path.parent.mkdir(exist_ok=True)
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
