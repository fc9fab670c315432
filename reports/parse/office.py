"""Old Office files (.doc, .xls) → their modern form through headless LibreOffice.

antiword flattens tables and drops vertically merged cells, and table 三 of every
annual report has them, so a .doc read by antiword alone loses its cells. LibreOffice
converts .doc → .docx and .xls → .xlsx faithfully; the result then takes the
python-docx / openpyxl path. Each conversion runs in a private temp dir (profile,
HOME and TMPDIR included, so parallel runs never share a profile and nothing is left
behind), with a size cap, a timeout that kills the whole process group, the input
filter forced (so garbage is never imported as plain text), and no shell.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from reports.model import ParseProblem
from reports.parse.blocks import Document
from reports.parse.limits import MAX_OFFICE_BYTES, SOFFICE_TIMEOUT_S, check_zip, too_big

log = logging.getLogger(__name__)

NO_SOFFICE = "未安装 LibreOffice"
NO_SOFFICE_XLS = "旧版 Excel（.xls）不可机读：未安装 LibreOffice，无法转换，请提供 .xlsx、Word 或网页版本"
VIA_SOFFICE_XLS = "xls→xlsx（LibreOffice）"

# kind → (input file suffix, LibreOffice import filter, export target, output suffix, name)
_CONVERSIONS = {
    "doc": ("doc", "MS Word 97", "docx:MS Word 2007 XML", "docx", "旧版 Word（.doc）"),
    "xls": ("xls", "MS Excel 97", "xlsx:Calc MS Excel 2007 XML", "xlsx", "旧版 Excel（.xls）"),
}


def soffice_path() -> str | None:
    """The LibreOffice binary on PATH, or None (the caller then reports or falls back)."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """soffice forks soffice.bin; end the group this call started, by its id."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def convert(data: bytes, kind: str) -> tuple[bytes | None, ParseProblem | None]:
    """``data`` (a .doc or .xls) converted to .docx/.xlsx bytes, or a Chinese problem."""
    suffix, infilter, target, out_suffix, what = _CONVERSIONS[kind]
    exe = soffice_path()
    if exe is None:
        return None, ParseProblem(where="document", reason=f"{NO_SOFFICE}，无法转换{what}文件")
    if len(data) > MAX_OFFICE_BYTES:
        return None, too_big(len(data), MAX_OFFICE_BYTES, f"{what}文件")
    with tempfile.TemporaryDirectory(prefix="nianbao-office-") as tmp:
        src = os.path.join(tmp, f"in.{suffix}")
        out_dir = os.path.join(tmp, "out")
        os.mkdir(out_dir)
        with open(src, "wb") as fh:
            fh.write(data)
        args = [
            exe,
            f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            f"--infilter={infilter}",
            "--convert-to",
            target,
            "--outdir",
            out_dir,
            src,
        ]
        env = {"HOME": tmp, "TMPDIR": tmp, "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
        try:
            proc = subprocess.Popen(
                args,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=tmp,
                start_new_session=True,
            )
        except OSError as exc:
            return None, ParseProblem(
                where="document", reason=f"{NO_SOFFICE}，无法转换{what}文件", detail={"error": repr(exc)}
            )
        try:
            _, err = proc.communicate(timeout=SOFFICE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            return None, ParseProblem(
                where="document",
                reason=f"LibreOffice 转换{what}文件超时（{SOFFICE_TIMEOUT_S:.0f} 秒），未解析",
            )
        out = os.path.join(out_dir, f"in.{out_suffix}")
        if not os.path.isfile(out) or os.path.getsize(out) == 0:
            msg = err.decode("utf-8", "replace")[-300:]
            log.info("soffice could not convert %s rc=%s: %s", kind, proc.returncode, msg)
            return None, ParseProblem(
                where="document", reason=f"{what}文件损坏或无法读取", detail={"error": msg}
            )
        if os.path.getsize(out) > MAX_OFFICE_BYTES:
            return None, too_big(os.path.getsize(out), MAX_OFFICE_BYTES, f"转换后的{what}文件")
        with open(out, "rb") as fh:
            return fh.read(), None


def xls_document(data: bytes) -> tuple[Document | None, list[ParseProblem]]:
    """Old Excel: LibreOffice → .xlsx, then the openpyxl path (no other reader for .xls)."""
    from reports.parse.xlsx import xlsx_document

    if soffice_path() is None:
        return None, [ParseProblem(where="document", reason=NO_SOFFICE_XLS)]
    xlsx, problem = convert(data, "xls")
    if xlsx is None:
        return None, [problem] if problem else []
    bad = check_zip(xlsx, "转换后的 Excel 文件")
    if bad:
        return None, [bad]
    doc, problems = xlsx_document(xlsx)
    if doc is not None:
        doc.input_kind, doc.note = "xls", VIA_SOFFICE_XLS
    return doc, problems
