"""Old Word (.doc, OLE): LibreOffice → .docx first, ``antiword`` text as the fallback.

Tried on real .doc files (seed reports saved by LibreOffice), antiword drops table
三's vertically merged cells and flattens table 四 into one line, so its cells are
lost; LibreOffice's .docx keeps every cell and goes through the python-docx path.
Without LibreOffice (or when it cannot open the file) antiword still gives the text
and the simple tables: a row printed as ``|cell|cell|`` becomes tab-separated cells
so the grid recognisers read it like a copy-out. Which path was used is recorded
in ``Document.note`` and so in each cell's ``Source.note``.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile

from reports.model import ParseProblem
from reports.parse.blocks import Document, text_to_blocks
from reports.parse.limits import ANTIWORD_TIMEOUT_S

log = logging.getLogger(__name__)

NO_ANTIWORD = "未安装 antiword，无法读取 .doc 文件"
NO_DOC_TOOLS = "未安装 LibreOffice 和 antiword，旧版 Word（.doc）文件不可机读"
BROKEN_DOC = "旧版 Word（.doc）文件损坏或无法读取"
VIA_SOFFICE = "doc→docx（LibreOffice）"
VIA_ANTIWORD = "doc→文本（antiword）"
ANTIWORD_ONLY = "旧版 Word（.doc）只能用 antiword 读取（{why}），合并单元格的表格可能读不全"


def pipes_to_tabs(text: str) -> str:
    """antiword table rows ``|a  |b  |`` → ``a\\tb``; other lines unchanged."""
    out: list[str] = []
    for line in text.split("\n"):
        s = line.strip()
        if s.startswith("|") and s.count("|") >= 2:
            cells = [c.strip() for c in s.strip("|").split("|")]
            out.append("\t".join(cells) if len(cells) > 1 else cells[0] + "\t")
        else:
            out.append(line)
    return "\n".join(out)


def antiword_text(data: bytes) -> tuple[str | None, ParseProblem | None]:
    """The document text as antiword prints it (UTF-8, one paragraph per line)."""
    exe = shutil.which("antiword")
    if exe is None:
        return None, ParseProblem(where="document", reason=NO_ANTIWORD)
    with tempfile.TemporaryDirectory(prefix="nianbao-doc-") as tmp:
        path = os.path.join(tmp, "in.doc")
        with open(path, "wb") as fh:
            fh.write(data)
        env = {"HOME": tmp, "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
        try:
            out = subprocess.run(
                [exe, "-m", "UTF-8.txt", "-w", "0", path],
                capture_output=True,
                timeout=ANTIWORD_TIMEOUT_S,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return None, ParseProblem(
                where="document", reason=f"读取 .doc 文件超时（{ANTIWORD_TIMEOUT_S:.0f} 秒），未解析"
            )
        except OSError as exc:
            return None, ParseProblem(where="document", reason=NO_ANTIWORD, detail={"error": repr(exc)})
    if out.returncode != 0 or not out.stdout.strip():
        err = out.stderr.decode("utf-8", "replace")[-300:]
        log.info("antiword failed rc=%s: %s", out.returncode, err)
        return None, ParseProblem(where="document", reason=BROKEN_DOC, detail={"error": err})
    return out.stdout.decode("utf-8", "replace"), None


def doc_document(data: bytes) -> tuple[Document | None, list[ParseProblem]]:
    """LibreOffice's .docx when it converts; else antiword's text, with why in a problem."""
    from reports.parse.office import convert, soffice_path
    from reports.parse.word import docx_document

    problem: ParseProblem | None = None
    have_soffice = soffice_path() is not None
    if have_soffice:
        docx, problem = convert(data, "doc")
        if docx is not None:
            doc, problems = docx_document(docx)
            if doc is not None:
                doc.input_kind, doc.note = "doc", VIA_SOFFICE
                return doc, problems
            problem = problems[0] if problems else None
        why = problem.reason if problem else "LibreOffice 转换失败"
    else:
        why = "未安装 LibreOffice"
    if shutil.which("antiword") is None:
        if not have_soffice:
            return None, [ParseProblem(where="document", reason=NO_DOC_TOOLS)]
        return None, [problem] if problem else [ParseProblem(where="document", reason=BROKEN_DOC)]
    text, aw_problem = antiword_text(data)
    if text is None:
        return None, [aw_problem or problem or ParseProblem(where="document", reason=BROKEN_DOC)]
    text = pipes_to_tabs(text.replace("\r\n", "\n").replace("\r", "\n"))
    doc = Document(blocks=text_to_blocks(text), input_kind="doc", note=VIA_ANTIWORD)
    return doc, [ParseProblem(where="document", reason=ANTIWORD_ONLY.format(why=why))]
