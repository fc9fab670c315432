"""Parse annual reports (text, HTML, PDF, Word) into ``ParsedReport``.

Public API: ``parse_text``, ``parse_document``, ``parse_path``. None of them raise on
bad content: whatever cannot be read is reported in ``ParsedReport.problems`` with a
precise Chinese reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reports.model import ParsedReport
    from reports.parse.document import parse_document, parse_text

__all__ = ["parse_document", "parse_path", "parse_text"]


def __getattr__(name: str) -> Any:
    """`parse_document` and `parse_text` are imported on first use: a module that needs one
    helper of this package (the decoder, the sniffer) must not load every parser with it, and
    `nianbao --help` imports the fetcher, which decodes."""
    if name in ("parse_document", "parse_text"):
        from reports.parse import document

        return getattr(document, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def parse_path(path: str | Path) -> ParsedReport:
    """Read a file and parse it; an unreadable file becomes a problem, not an exception."""
    from reports.model import ParsedReport
    from reports.parse.document import parse_document

    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        from reports.model import ParseProblem

        return ParsedReport(
            input_kind="unknown",
            problems=[
                ParseProblem(
                    where="document", reason="无法读取文件", detail={"path": str(p), "error": str(exc)}
                )
            ],
        )
    return parse_document(data, filename=p.name)
