"""Real .doc and .xls files, made in the test by LibreOffice, parsed cell for cell.

The seeds and a hand-made report with distinct non-zero figures are rendered to HTML
and saved as .doc by soffice (once per session, one process for all of them); a
workbook written by openpyxl is saved as .xls the same way. Nothing is committed.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from replicas.form_render import render_html, render_text
from reports.form import (
    SECTION_KEYS,
    SECTION_LABELS,
    TABLE3_COLUMNS,
    TABLE4_CELLS,
    TABLE4_GROUPS,
    Form,
    table2_decimal_cells,
    table2_rows,
)
from reports.model import Cell, ParsedReport, Section
from reports.parse import parse_document, parse_text
from reports.parse.doc import ANTIWORD_ONLY, BROKEN_DOC, NO_DOC_TOOLS, VIA_ANTIWORD, VIA_SOFFICE
from reports.parse.office import NO_SOFFICE_XLS, VIA_SOFFICE_XLS
from tests.known import known

from .helpers import all_values, seed_text

pytestmark = pytest.mark.slow  # LibreOffice converts each file (a second each)

SEEDS = ("zhanhe-yingji-2024", "jianxi-gongxin-2024", "zhanhe-gongxin-2024", "shunhe-shenpi-2024")
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def handmade_report(seed: int) -> ParsedReport:
    """An F2021 report whose every figure is distinct and non-zero (a few blanks, decimals)."""
    rnd = random.Random(seed)
    form = Form.F2021
    agency = "某县人民政府办公室"
    r = ParsedReport(form=form, year=2024, agency=agency, title=f"{agency}2024年政府信息公开工作年度报告")
    r.sections = {
        k: Section(present=True, heading=SECTION_LABELS[k], text=f"{SECTION_LABELS[k]}的正文。")
        for k in SECTION_KEYS
    }
    dec = table2_decimal_cells(form)
    pool = rnd.sample(range(1, 5000), 40)
    for row, cells in table2_rows(form).items():
        r.proactive.setdefault(row, {})
        for c in cells:
            if (row, c) in dec or c == "amount_wan_yuan":
                v: int | Decimal | None = Decimal(pool.pop()) / 100
            elif c == "change":
                v = pool.pop() * rnd.choice([1, -1])
            else:
                v = pool.pop()
            r.proactive[row][c] = Cell(value=v)
    r.requests = ParsedReport.empty_table3(form)
    figures = iter(rnd.sample(range(1, 100_000), 6 * len(r.requests)))
    for i, row in enumerate(r.requests):
        vals = [None if (i, j) == (5, 2) else next(figures) for j in range(6)]
        for c, v in zip(TABLE3_COLUMNS, [*vals, sum(v or 0 for v in vals)], strict=True):
            r.requests[row][c] = Cell(value=v)
    t4 = iter(rnd.sample(range(1, 1000), 15))
    for g in TABLE4_GROUPS:
        for c in TABLE4_CELLS:
            r.review_litigation[g][c] = Cell(value=next(t4))
    return r


def _soffice(args: list[str], profile: Path) -> None:
    """Run soffice with a private profile (parallel runs never collide) and a timeout."""
    exe = shutil.which("soffice")
    assert exe, "LibreOffice (soffice) is required: scripts/system-packages.sh installs it"
    subprocess.run(
        [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", *args],
        check=True,
        timeout=120,
        capture_output=True,
    )


@dataclass
class Made:
    docs: dict[str, bytes]  # name → .doc bytes
    sources: dict[str, ParsedReport]  # name → the report parsed from its source
    xls: bytes
    xls_source: ParsedReport


@pytest.fixture(scope="session")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    root = tmp_path_factory.mktemp("office")
    sources = {n: parse_text(seed_text(n)) for n in SEEDS}
    hand = handmade_report(7)
    sources["handmade"] = parse_document(render_html(hand).encode("utf-8"), content_type="text/html")
    assert all_values(sources["handmade"]) == all_values(hand)  # the source itself is right
    html_paths = []
    for name, rep in sources.items():
        p = root / f"{name}.html"
        p.write_text(render_html(hand if name == "handmade" else rep), encoding="utf-8")
        html_paths.append(str(p))
    out = root / "out"
    _soffice(["--convert-to", "doc:MS Word 97", "--outdir", str(out), *html_paths], root / "profile")
    text = render_text(hand)
    wb = openpyxl.Workbook()
    ws = known(wb.active)
    for line in text.split("\n"):  # figures stored as numbers, like a real sheet
        ws.append([int(c) if c.strip().isdigit() else c for c in line.split("\t")])
    xlsx = root / "table3.xlsx"
    wb.save(xlsx)
    _soffice(["--convert-to", "xls:MS Excel 97", "--outdir", str(out), str(xlsx)], root / "profile")
    return Made(
        docs={n: (out / f"{n}.doc").read_bytes() for n in sources},
        sources=sources,
        xls=(out / "table3.xls").read_bytes(),
        xls_source=parse_text(text),
    )


def _same_cells(got: ParsedReport, want: ParsedReport) -> None:
    assert got.tables_found == want.tables_found == {k: True for k in want.tables_found}
    g2, g3, g4 = all_values(got)
    w2, w3, w4 = all_values(want)
    assert g2 == w2
    assert g3 == w3
    assert g4 == w4


def _notes(r: ParsedReport) -> set[str | None]:
    rows = [*r.proactive.values(), *r.requests.values(), *r.review_litigation.values()]
    return {c.source.note for cells in rows for c in cells.values() if c.source is not None}


@pytest.mark.parametrize("name", [*SEEDS, "handmade"])
def test_doc_gives_every_cell_of_the_source(made: Made, name: str) -> None:
    data = made.docs[name]
    assert data.startswith(OLE)
    r = parse_document(data, filename=f"{name}.doc", content_type="application/msword")
    assert r.input_kind == "doc"
    _same_cells(r, made.sources[name])
    assert [p.reason for p in r.problems if p.where.startswith(("table", "document"))] == []
    assert _notes(r) == {VIA_SOFFICE}
    assert (r.form, r.year) == (made.sources[name].form, made.sources[name].year)
    if name == "handmade":  # distinct non-zero figures: a shifted column could not pass
        assert all_values(r) == all_values(handmade_report(7))
        assert r.t3("new", "natural_person") not in (None, 0)


def test_doc_without_libreoffice_falls_back_to_antiword(
    made: Made, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    antiword = shutil.which("antiword")
    assert antiword, "antiword is required: scripts/system-packages.sh installs it"
    (tmp_path / "antiword").symlink_to(antiword)
    monkeypatch.setenv("PATH", str(tmp_path))  # antiword only, no soffice
    r = parse_document(made.docs["handmade"], filename="h.doc")
    assert r.input_kind == "doc"
    assert [p.reason for p in r.problems if p.where == "document"] == [
        ANTIWORD_ONLY.format(why="未安装 LibreOffice")
    ]
    # antiword keeps table 二 (no merged rows) but not 三/四: say so rather than guess
    assert all_values(r)[0] == all_values(made.sources["handmade"])[0]
    assert _notes(r) == {VIA_ANTIWORD}


def test_doc_without_any_tool(made: Made, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    r = parse_document(made.docs["zhanhe-yingji-2024"], filename="a.doc")
    assert [p.reason for p in r.problems] == [NO_DOC_TOOLS]
    assert not any(r.tables_found.values())


def test_xls_gives_every_cell_of_the_sheet(made: Made) -> None:
    assert made.xls.startswith(OLE)
    r = parse_document(made.xls, filename="report.xls", content_type="application/vnd.ms-excel")
    assert r.input_kind == "xls"
    _same_cells(r, made.xls_source)
    assert all_values(r) == all_values(handmade_report(7))
    assert [p.reason for p in r.problems if p.where.startswith(("table", "document"))] == []
    assert _notes(r) == {VIA_SOFFICE_XLS}


def test_xls_without_libreoffice_is_a_clear_problem(
    made: Made, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    r = parse_document(made.xls, filename="report.xls")
    assert r.input_kind == "xls"
    assert [p.reason for p in r.problems] == [NO_SOFFICE_XLS]
    assert not r.machine_readable


def _corrupt(stream: str, seed: int) -> bytes:
    """The OLE magic, then random bytes with the stream name that routes it to doc/xls."""
    rnd = random.Random(seed)
    junk = bytes(rnd.getrandbits(8) for _ in range(6000))
    return OLE + junk[:3000] + stream.encode("utf-16-le") + junk[3000:]


@pytest.mark.parametrize(
    ("stream", "name", "kind", "reason"),
    [
        ("WordDocument", "x.doc", "doc", BROKEN_DOC),
        ("Workbook", "x.xls", "xls", "旧版 Excel（.xls）文件损坏或无法读取"),
    ],
)
def test_corrupt_old_office_file(
    stream: str, name: str, kind: str, reason: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))  # every temp dir of the parser lands here
    r = parse_document(_corrupt(stream, 3), filename=name)
    assert r.input_kind == kind
    assert [p.reason for p in r.problems] == [reason]
    assert not r.machine_readable
    assert os.listdir(tmp) == []  # profile, input and output all removed
