"""Reports parsed per second per input form, single core; writes docs/benchmarks.md § Parsing.

Inputs are made from the committed seeds: the text copy-out itself, its HTML and
DOCX renderings, a text-layer PDF (reportlab), and a 4-page scan (bench/scan.py).
Run: ``.venv/bin/python bench/parse.py [--seconds 3]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # tesseract: one thread, like the parser

from bench.docs import DOC, replace_section  # noqa: E402
from replicas.form_render import render_html, render_text  # noqa: E402
from reports.parse import parse_document, parse_text  # noqa: E402

SEED_DIRS = (ROOT / "replicas" / "content" / "seeds", ROOT.parent / "shared" / "seeds")


def seeds() -> dict[str, str]:
    out: dict[str, str] = {}
    for d in SEED_DIRS:
        for p in sorted(d.glob("*.txt")) if d.is_dir() else []:
            out.setdefault(p.stem, p.read_text(encoding="utf-8"))
    return out


def text_pdf(text: str) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    lines = text.replace("\t", " ").split("\n")
    for i in range(0, len(lines), 50):
        c.setFont("STSong-Light", 9)
        for j, ln in enumerate(lines[i : i + 50]):
            c.drawString(40, 800 - 15 * j, ln)
        c.showPage()
    c.save()
    return buf.getvalue()


def docx_bytes(text: str) -> bytes:
    """Paragraphs, and runs of tab-separated lines as Word tables."""
    import docx

    d = docx.Document()
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            t = d.add_table(rows=len(rows), cols=max(map(len, rows)))
            for r, row in enumerate(rows):
                for c, v in enumerate(row):
                    t.cell(r, c).text = v
            rows.clear()

    for line in text.split("\n"):
        if "\t" in line:
            rows.append(line.split("\t"))
        else:
            flush()
            d.add_paragraph(line)
    flush()
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def flattened_texts(n: int = 20) -> list[bytes]:
    """Reports with realistic figures saved as one line, every separator gone (issue 15)."""
    import random

    from replicas.flatten import flatten
    from replicas.samples import sample_report

    return [flatten(sample_report(random.Random(i)), "one_line").encode() for i in range(n)]


def budget_text() -> bytes:
    """A flattened report whose table 三 search runs to its step budget.

    Every outcome row prints 「1111111126」 (15 readings: two 11s and four 1s) and (七)/一 a
    total those rows can reach in very many ways, so the identities never narrow it to one.
    """
    import random

    from replicas.flatten import flatten
    from replicas.samples import sample_report

    report = sample_report(random.Random(0), t2_blank=0)
    lines = flatten(report, "no_separators").split("\n")
    start = lines.index("三、收到和处理政府信息公开申请情况")
    rows = [i for i in range(start, len(lines)) if re.search(r"\D\d{7,}$", lines[i])][:25]
    runs = {0: "1211211211213131546", 1: "0000000", 23: "1211211211213131546", 24: "0000000"}
    for n, i in enumerate(rows):
        lines[i] = re.sub(r"\d+$", runs.get(n, "1111111126"), lines[i])
    return "\n".join(lines).encode()


def rate(fn: Callable[[], object], seconds: float, min_runs: int = 3) -> tuple[float, int]:
    """Runs per second over at least ``seconds`` and ``min_runs`` runs."""
    fn()  # warm-up (imports, font registration)
    n, t0 = 0, time.perf_counter()
    while n < min_runs or time.perf_counter() - t0 < seconds:
        fn()
        n += 1
    return n / (time.perf_counter() - t0), n


def machine() -> str:
    cpu = "unknown"
    try:
        m = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = m.group(1).strip() if m else cpu
    except OSError:
        pass
    tess = "not installed"
    if shutil.which("tesseract"):
        tess = subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout.split("\n")[
            0
        ]
    load = f"load average {os.getloadavg()[0]:.1f} at the start" if hasattr(os, "getloadavg") else ""
    return (
        f"{cpu}; {os.cpu_count()} cores (benchmark pinned to 1); Python {platform.python_version()}; "
        f"{tess}; {dt.date.today().isoformat()}; {load}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3.0)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    texts = seeds()
    reports = {k: parse_text(v) for k, v in texts.items()}
    inputs: dict[str, list[bytes]] = {
        "text copy-out (.txt)": [v.encode() for v in texts.values()],
        "HTML page (rendered)": [render_html(r).encode() for r in reports.values()],
        "PDF with text layer": [text_pdf(v) for v in texts.values()],
        "Word .docx": [docx_bytes(render_text(r)) for r in reports.values()],
        "flattened text, one line (20 reports with figures)": flattened_texts(),
        "flattened text, search runs to its budget": [budget_text()],
    }
    rows: list[tuple[str, float, int, str]] = []
    for form, docs in inputs.items():

        def run(docs: list[bytes] = docs) -> None:
            for d in docs:
                parse_document(d)

        per_s, n = rate(run, args.seconds)
        kb = sum(map(len, docs)) / len(docs) / 1024
        rows.append((form, per_s * len(docs), n * len(docs), f"{kb:.0f} KB"))
        print(f"{form}: {rows[-1][1]:.1f} reports/s", flush=True)
    from bench.scan import scan_report

    _truth, scan, npages = scan_report()
    per_s, n = rate(lambda: parse_document(scan), 0, min_runs=1)
    rows.append(
        (
            f"scanned report, {npages} pages at 200 dpi (OCR; see § Scanned reports)",
            per_s,
            n,
            f"{len(scan) / 1024:.0f} KB",
        )
    )
    print(f"scanned report: {1 / per_s:.1f} s", flush=True)

    import pypdfium2 as pdfium

    pdfs = inputs["PDF with text layer"]

    def pdfium_text() -> None:
        for d in pdfs:
            pdf = pdfium.PdfDocument(d)
            for page in pdf:
                page.get_textpage().get_text_range()
            pdf.close()

    extract = [("pypdfium2 text extraction only", rate(pdfium_text, args.seconds)[0] * len(pdfs))]
    if shutil.which("pdftotext"):

        def poppler() -> None:
            for d in pdfs:
                subprocess.run(["pdftotext", "-layout", "-", "-"], input=d, capture_output=True, check=True)

        extract.append(("pdftotext (poppler) subprocess", rate(poppler, args.seconds)[0] * len(pdfs)))
    else:
        extract.append(("pdftotext (poppler) subprocess", float("nan")))
    write(rows, extract, len(texts))


def write(rows: list[tuple[str, float, int, str]], extract: list[tuple[str, float]], nseeds: int) -> None:
    lines = [
        "## Parsing",
        "",
        f"`bench/parse.py`, {nseeds} seed reports (`replicas/content/seeds/`, `shared/seeds/`) in each form, "
        "single core, `parse_document` end to end (sniff → blocks → tables).",
        "",
        f"Machine: {machine()}.",
        "",
        "| input form | reports/s | ms/report | runs | mean size |",
        "|---|---:|---:|---:|---:|",
        *[f"| {f} | {r:.2f} | {1000 / r:.1f} | {n} | {s} |" for f, r, n, s in rows],
        "",
        "Flattened text (`replicas/flatten.py`): sample reports with figures (`replicas/samples.py`) "
        "saved as one line, every separator gone; the budget row is a table 三 built so that its "
        "search spends the whole step budget (`reports/parse/decide.py` TABLE_BUDGET), the worst case.",
        "",
        "PDF text extraction alone (same PDFs, reports/s):",
        "",
        "| extractor | reports/s |",
        "|---|---:|",
        *[f"| {f} | {'not installed' if r != r else f'{r:.1f}'} |" for f, r in extract],
        "",
    ]
    section = "\n".join(lines)
    replace_section("## Parsing", section)
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
