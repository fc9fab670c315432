"""Render a report the way real portals and PDF extractors flatten it.

Fixtures for the parser (issue 15): the tab-separated copy-out of ``reports.layout`` is
turned into running text, then flattened in one of the ways seen in real reports:

- ``spaced``: PDF-style text, a row's label and figures separated by single spaces;
- ``no_separators``: every space inside a line removed (「…数量640020470」), a row a line;
- ``one_line``: no separators and no line breaks: the whole page is one line, so the
  number of the next row's label sticks to the last figure (「…416.属于四类…」);
- ``labels_glued``: one line, figures separated by spaces but glued to the labels
  around them (「…数量64 0 0 2 0 4 70二、上年结转…」);
- ``stray_spaces``: a row a line, the space between two figures kept or dropped at
  random (「30 0 00 0 131」).

``wps_text`` is the layout of a WPS/Word PDF: the unit on its own line above the title,
page numbers 「- 1 -」 between lines, long row labels broken over two or three lines with
the figures on the first, and the 勾稽关系 note broken across lines.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable

from replicas.form_render import render_text
from reports.model import ParsedReport

WAYS = ("spaced", "no_separators", "one_line", "labels_glued", "stray_spaces")
_FIGURE = re.compile(r"^\d+(?:\.\d+)?$")


def _stream_lines(report: ParsedReport) -> list[str]:
    """The copy-out as PDF-style lines: each row's non-empty cells joined by single spaces."""
    out = []
    for line in render_text(report).split("\n"):
        cells = [c.strip() for c in line.split("\t")]
        text = " ".join(c for c in cells if c)
        if text:
            out.append(text)
    return out


def _words(line: str) -> list[str]:
    return line.split(" ")


def _is_figure(word: str) -> bool:
    return bool(_FIGURE.match(word))


def _glue(words: list[str], keep_space: Callable[[str, str], bool]) -> str:
    out = words[0] if words else ""
    for a, b in itertools.pairwise(words):
        out += (" " if keep_space(a, b) else "") + b
    return out


def flatten_lines(report: ParsedReport, way: str, rnd: random.Random | None = None) -> list[str]:
    """The flattened pieces, one per line of the copy-out, before they are joined."""
    rnd = rnd or random.Random(0)
    lines = _stream_lines(report)
    if way == "spaced":
        return lines
    if way in ("no_separators", "one_line"):
        return [line.replace(" ", "") for line in lines]
    if way == "labels_glued":
        return [_glue(_words(line), lambda a, b: _is_figure(a) and _is_figure(b)) for line in lines]
    if way == "stray_spaces":
        return [
            _glue(_words(line), lambda a, b: _is_figure(a) and _is_figure(b) and rnd.random() < 0.5)
            if any(_is_figure(w) for w in _words(line))
            else line
            for line in lines
        ]
    raise ValueError(f"unknown way {way!r}; one of {WAYS}")


def flatten(report: ParsedReport, way: str, rnd: random.Random | None = None) -> str:
    """The report's text flattened in ``way`` (one of ``WAYS``)."""
    pieces = flatten_lines(report, way, rnd)
    return "".join(pieces) if way in ("one_line", "labels_glued") else "\n".join(pieces)


def _wrap(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


def wps_text(
    report: ParsedReport, *, label_width: int = 12, lines_per_page: int = 38, rnd: random.Random | None = None
) -> str:
    """PDF text of a WPS/Word export (see the module doc); feed it to ``tests/parse/pdfgen``.

    A row's group label (「三、本年度办理结果」「(三) 不予公开」) comes on its own line; its own
    label wraps at ``label_width`` characters, with the figures printed on the first, the
    middle or the last of its lines (as the cell is vertically centred).
    """
    rnd = rnd or random.Random(0)
    title = report.title or f"{report.agency}{report.year}年政府信息公开工作年度报告"
    unit = report.agency or ""
    body: list[str] = [unit, title.removeprefix(unit)] if unit and title.startswith(unit) else [title]
    for line in render_text(report).split("\n")[2:]:  # the title is printed above
        cells = [c.strip() for c in line.split("\t") if c.strip()]
        if not cells:
            continue
        figures = [c for c in cells if _is_figure(c)]
        labels = [c for c in cells if not _is_figure(c)]
        if cells[0].startswith(("(本列数据", "（本列数据")):
            body += _wrap(cells[0], 22)
            body.append(" ".join(cells[1:]))
        elif figures and labels and len(labels[-1]) > label_width:
            body += labels[:-1]
            parts = _wrap(labels[-1], label_width)
            parts = parts if len(parts) <= 3 else [*parts[:2], "".join(parts[2:])]
            at = rnd.choice([0, len(parts) // 2, len(parts) - 1])
            parts[at] += " " + " ".join(figures)
            body += parts
        else:
            body += [*labels[:-1], " ".join([*labels[-1:], *figures])] if labels else [" ".join(figures)]
    out: list[str] = []
    for n, start in enumerate(range(0, len(body), lines_per_page), start=1):
        out += body[start : start + lines_per_page]
        out.append(f"- {n} -")
    return "\n".join(out)
