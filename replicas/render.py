"""Turn a tab-separated report copy-out back into the HTML a portal would have served.

Each run of lines containing tabs becomes one `<table>` (one `<tr>` per line, one `<td>` per
tab cell, `&nbsp;` in empty cells); every other non-empty line becomes a `<p>`. Markdown-ish
heading marks (`#`) and list bullets (`- `) from the copy-out are dropped.
"""

from __future__ import annotations

import re
from html import escape

_HEADING = re.compile(r"^#{1,6}\s*")
_BULLET = re.compile(r"^[-*]\s+")


def text_to_html(text: str) -> str:
    """Render seed text as an HTML fragment (paragraphs and tables)."""
    out: list[str] = []
    table: list[str] = []

    def flush() -> None:
        if table:
            rows = []
            for line in table:
                cells = "".join(f"<td>{escape(c.strip()) or '&nbsp;'}</td>" for c in line.split("\t"))
                rows.append(f"<tr>{cells}</tr>")
            out.append('<table border="1" cellspacing="0" cellpadding="0">' + "".join(rows) + "</table>")
            table.clear()

    for raw in text.splitlines():
        line = raw.rstrip("\r\n")
        if "\t" in line:
            table.append(line)
            continue
        flush()
        stripped = _BULLET.sub("", _HEADING.sub("", line.strip()))
        if stripped:
            out.append(f"<p>{escape(stripped)}</p>")
    flush()
    return "\n".join(out)
