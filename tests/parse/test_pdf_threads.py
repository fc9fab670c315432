"""PDFs parsed from many threads at once (the monitor parses in up to 16 per flow run) do not
crash the process: pdfium is not thread-safe, even across documents, and without one call at a
time (`reports/parse/pdfium_lock.py`) this script died with a segfault or glibc's heap
corruption abort on every try here. In a child process, so a crash fails the test instead of
ending the test session."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RACE = """
import sys, threading
from replicas.pdf import text_to_pdf
from replicas.synthetic import Figures, synthetic_report
from reports.parse.pageimage import pdf_page_count, render_pdf
from reports.parse.pdf import pdf_document

pdfs = [text_to_pdf(synthetic_report(f"单位{i}", 2024, Figures(published=i), "某区"), f"t{i}") for i in range(8)]
want = [len(pdf_document(p)[0].blocks) for p in pdfs]
wrong = []

def parse(k):
    for n in range(60):
        i = (k + n) % 8
        if len(pdf_document(pdfs[i])[0].blocks) != want[i]:
            wrong.append(i)

def render(k):
    for n in range(6):
        i = (k + n) % 8
        if pdf_page_count(pdfs[i]) < 1 or next(render_pdf(pdfs[i], 1)).ndim != 3:
            wrong.append(i)

threads = [threading.Thread(target=parse, args=(k,)) for k in range(7)]
threads += [threading.Thread(target=render, args=(k,)) for k in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("wrong", len(wrong))
sys.exit(1 if wrong else 0)
"""


def test_pdfs_parsed_and_rendered_in_many_threads_at_once_do_not_crash_or_differ() -> None:
    done = subprocess.run([sys.executable, "-c", RACE], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (done.returncode, done.stdout[-500:], done.stderr[-2000:])
    assert done.stdout.strip() == "wrong 0"
