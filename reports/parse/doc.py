"""Old Word (.doc, OLE) → text via the ``antiword`` CLI, then the text path.

antiword prints a table row as ``|cell|cell|``; those rows become tab-separated
cells so the grid recognisers read them like a copy-out. No Python library reads
.doc reliably, so the Debian tool is used with a timeout and a private HOME.
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
        return None, ParseProblem(
            where="document", reason="旧版 Word（.doc）文件损坏或无法读取", detail={"error": err}
        )
    return out.stdout.decode("utf-8", "replace"), None


def doc_document(data: bytes) -> tuple[Document | None, list[ParseProblem]]:
    text, problem = antiword_text(data)
    if text is None:
        return None, [problem] if problem else []
    text = pipes_to_tabs(text.replace("\r\n", "\n").replace("\r", "\n"))
    return Document(blocks=text_to_blocks(text), input_kind="doc"), []
