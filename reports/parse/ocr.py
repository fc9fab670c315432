"""Images and image-only PDFs → text with the tesseract CLI (chi_sim), then the PDF-text path.

OCR misreads digits, so nothing it reads is trusted blindly: every OCR'd cell is
marked (``Source.note="ocr"``, ``inferred=True``) and ``verify_ocr`` keeps a table 三 row
or a table 四 group only when its own total adds up; other rows are blanked with a
problem. A table left with no verified cell counts as not found (不可机读).
"""

from __future__ import annotations

import functools
import io
import logging
import shutil
import subprocess

from reports.form import TABLE3_COLUMNS, TABLE4_CELLS, outcome_rows
from reports.model import Cell, ParsedReport, ParseProblem, Source
from reports.parse.assemble import UNREADABLE
from reports.parse.blocks import Document, text_to_blocks
from reports.parse.limits import MAX_IMAGE_PIXELS, MAX_OCR_PAGES, OCR_PAGE_TIMEOUT_S

log = logging.getLogger(__name__)

LANG = "chi_sim"
RENDER_DPI = 200


@functools.lru_cache(maxsize=1)
def ocr_unavailable() -> str | None:
    """Why OCR cannot run on this machine (Chinese), or None when it can."""
    exe = shutil.which("tesseract")
    if exe is None:
        return "未安装 tesseract（OCR），无法识别图片中的文字"
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, timeout=15, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("tesseract --list-langs failed: %r", exc)
        return "tesseract（OCR）无法运行，无法识别图片中的文字"
    langs = (out.stdout + out.stderr).decode("utf-8", "replace").split()
    if LANG not in langs:
        return "未安装 tesseract 简体中文语言包（chi_sim），无法识别图片中的文字"
    return None


def unreadable(reason: str, detail: dict | None = None) -> ParseProblem:
    return ParseProblem(where="document", reason=UNREADABLE + reason, detail=detail or {})


def _png(data: bytes) -> tuple[bytes | None, ParseProblem | None]:
    """Validate an image by its header (no decompression bomb) and hand tesseract a PNG/JPEG/TIFF."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            w, h = im.size
            if w * h > MAX_IMAGE_PIXELS:
                return None, unreadable(
                    f"图片过大（{w}×{h} 像素），未识别", {"pixels": w * h, "limit": MAX_IMAGE_PIXELS}
                )
            if im.format in ("PNG", "JPEG", "TIFF"):
                return data, None
            buf = io.BytesIO()
            im.convert("RGB").save(buf, format="PNG")
            return buf.getvalue(), None
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        return None, unreadable("图片文件损坏，无法识别", {"error": repr(exc)})


def ocr_image(image: bytes) -> tuple[str | None, ParseProblem | None]:
    """Text of one image; a missing engine or a timeout is a problem, never an exception."""
    why = ocr_unavailable()
    if why:
        return None, unreadable(why)
    try:
        out = subprocess.run(
            ["tesseract", "stdin", "stdout", "-l", LANG, "--psm", "6"],
            input=image,
            capture_output=True,
            timeout=OCR_PAGE_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None, unreadable(f"图片文字识别超时（{OCR_PAGE_TIMEOUT_S:.0f} 秒）")
    except OSError as exc:
        return None, unreadable("tesseract（OCR）无法运行", {"error": repr(exc)})
    if out.returncode != 0:
        err = out.stderr.decode("utf-8", "replace")[-300:]
        return None, unreadable("图片文字识别失败", {"error": err})
    return out.stdout.decode("utf-8", "replace"), None


def ocr_pages(images: list[bytes]) -> tuple[Document | None, list[ParseProblem]]:
    """OCR page images in order; the text keeps page numbers for provenance."""
    lines: list[str] = []
    pages: list[int] = []
    problems: list[ParseProblem] = []
    for n, data in enumerate(images, start=1):
        png, bad = _png(data)
        if bad:
            problems.append(bad)
            continue
        assert png is not None
        text, bad = ocr_image(png)
        if bad:
            problems.append(bad)
            if ocr_unavailable():
                break  # the same for every page
            continue
        for ln in (text or "").replace("\f", "\n").split("\n"):
            lines.append(ln)
            pages.append(n)
    if not any(ln.strip() for ln in lines):
        if not problems:
            problems.append(unreadable("图片中没有识别出文字"))
        return None, problems
    return Document(blocks=text_to_blocks("\n".join(lines), page_of_line=pages), input_kind="ocr"), problems


def render_pdf_pages(data: bytes) -> tuple[list[bytes], int]:
    """PNG renderings of the first pages of an image-only PDF, and its page count."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        n = len(pdf)
        out: list[bytes] = []
        for p in range(min(n, MAX_OCR_PAGES)):
            page = pdf[p]
            w, h = page.get_size()
            scale = RENDER_DPI / 72
            if w * h * scale * scale > MAX_IMAGE_PIXELS:
                scale = (MAX_IMAGE_PIXELS / (w * h)) ** 0.5
            bitmap = page.render(scale=scale, grayscale=True)
            buf = io.BytesIO()
            bitmap.to_pil().save(buf, format="PNG")
            out.append(buf.getvalue())
            page.close()
        return out, n
    finally:
        pdf.close()


def _mark(cells: dict[str, dict[str, Cell]]) -> None:
    for row in cells.values():
        for cell in row.values():
            if cell.value is not None or cell.raw:
                src = cell.source or Source()
                cell.source = src.model_copy(update={"note": "ocr", "inferred": True})


def _blank(cells: dict[str, Cell]) -> None:
    for cell in cells.values():
        cell.value = None


def verify_ocr(report: ParsedReport) -> None:
    """Mark OCR'd cells and keep only figures whose own totals add up.

    A table 三 row needs all seven figures with the six applicant columns summing to
    总计; a table 四 group needs its four results summing to its 总计. Table 二 has no
    total to check, so its figures stay marked as unverified OCR.
    """
    report.input_kind = "ocr"
    for cells in (report.proactive, report.requests, report.review_litigation):
        _mark(cells)
    if report.tables_found.get("requests"):
        kept = 0
        for key, row in report.requests.items():
            vals = [row[c].value for c in TABLE3_COLUMNS]
            if all(v is None for v in vals):
                continue
            if all(isinstance(v, int) for v in vals) and sum(vals[:6]) == vals[6]:  # type: ignore[arg-type]
                kept += 1
                continue
            _blank(row)
            report.problems.append(
                ParseProblem(
                    where=f"table3.{key}",
                    reason="OCR 识别的该行数值不满足「各类申请人之和等于总计」，可能识别有误，已留空",
                    detail={"ocr_values": vals},
                )
            )
        if kept == 0:
            _not_found(report, "requests", "表三")
        else:
            _check_columns(report)
    if report.tables_found.get("review_litigation"):
        kept = 0
        for group, cells in report.review_litigation.items():
            vals = [cells[c].value for c in TABLE4_CELLS]
            if all(v is None for v in vals):
                continue
            if all(isinstance(v, int) for v in vals) and sum(vals[:4]) == vals[4]:  # type: ignore[arg-type]
                kept += 1
                continue
            _blank(cells)
            report.problems.append(
                ParseProblem(
                    where=f"table4.{group}",
                    reason="OCR 识别的该组数值不满足「四种结果之和等于总计」，可能识别有误，已留空",
                    detail={"ocr_values": vals},
                )
            )
        if kept == 0:
            _not_found(report, "review_litigation", "表四")
    if report.tables_found.get("proactive"):
        report.problems.append(
            ParseProblem(
                where="table2",
                reason="表二数值来自图片文字识别（OCR），没有合计关系可以校验，需人工核对",
            )
        )


def _not_found(report: ParsedReport, key: str, name: str) -> None:
    report.tables_found[key] = False
    report.problems.append(
        unreadable(f"{name}图片识别结果没有一行能通过合计校验，视为未读取", {"table": key})
    )


def _check_columns(report: ParsedReport) -> None:
    """(七)总计 must equal the sum of the outcome rows in each column; a miss is reported."""
    outcomes = [k for k in outcome_rows(report.form) if k != "outcome_total"]
    total = report.requests.get("outcome_total")
    if total is None:
        return
    for col in TABLE3_COLUMNS:
        vals = [report.requests[k][col].value for k in outcomes if k in report.requests]
        if total[col].value is None or any(v is None for v in vals):
            continue
        if sum(vals) != total[col].value:  # type: ignore[arg-type]
            report.problems.append(
                ParseProblem(
                    where=f"table3.outcome_total.{col}",
                    reason="OCR 识别的表三「总计」行与各办理结果行之和不符，可能识别有误或原表有误，需人工核对",
                    detail={"column": col, "sum": sum(vals), "total": total[col].value},  # type: ignore[arg-type]
                )
            )
