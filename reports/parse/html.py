"""HTML pages → blocks: the report body only, tables expanded to full grids.

Portal pages wrap the report in navigation, related links and footers; the body is
the smallest element holding the report's headings and its tables. ``rowspan`` and
``colspan`` are expanded so every row has its real cells (copies are marked
``spanned`` so a value is never counted twice).

Works on lxml's tree (`reports.parse.htmltree`).
"""

from __future__ import annotations

import re
from itertools import islice

from lxml.html import HtmlElement

from reports.model import ParseProblem
from reports.parse.blocks import Block, Document, GridCell
from reports.parse.htmltree import body_of, drop_elements, html_tree, is_element, text_of
from reports.parse.limits import MAX_TABLE_COLS, MAX_TABLE_ROWS

MAX_DOCUMENT_TABLE_ROWS = 6 * MAX_TABLE_ROWS  # all tables of one page together

_SKIP = {
    "script",
    "style",
    "noscript",
    "iframe",
    "nav",
    "footer",
    "header",
    "select",
    "button",
    "form",
    "svg",
}
_BLOCK = {
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
    "tr", "blockquote", "pre", "dd", "dt", "dl", "center", "caption", "body", "td", "th",
}  # fmt: skip
_WS = re.compile(r"[ \t\r\n\f\v\u3000\xa0]+")
_ANCHORS = (
    "总体情况",
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请情况",
    "行政复议",
    "存在的主要问题",
    "其他需要报告",
)
_ARTICLE_TITLE = re.compile("ArticleTitle", re.I)
_ERROR_PAGE = (
    "文件不存在",
    "页面不存在",
    "404",
    "Not Found",
    "找不到",
    "已删除",
    "访问出错",
    "无权访问",
    "403",
)


def _span(tag: HtmlElement, attr: str) -> int:
    raw = tag.get(attr)
    if raw is None:  # most cells: no attribute to read
        return 1
    try:
        return max(1, min(int(str(raw).strip() or "1"), 200))
    except ValueError:
        return 1


def _cell_text(tag: HtmlElement) -> str:
    if not len(tag):  # a cell with no child elements (most of them): its own text is all of it
        own = tag.text
        if not own:
            return ""
        return own if own.isdigit() else _WS.sub(" ", own).strip()  # a bare figure: as it is
    return _WS.sub(" ", text_of(tag, " ")).strip()


def _has_table_inside(node: HtmlElement) -> bool:
    return next(node.iterdescendants("table"), None) is not None


def expand_table(table: HtmlElement, max_rows: int = MAX_TABLE_ROWS) -> list[list[GridCell]]:
    """A full grid: every row gets all its columns, rowspan/colspan copies marked spanned.

    At most ``max_rows`` rows and ``MAX_TABLE_COLS`` columns are expanded, so a hostile
    table (or absurd spans) costs bounded time and memory.
    """
    grid: dict[tuple[int, int], GridCell] = {}
    rows = list(islice(table.iterdescendants("tr"), max_rows))  # tables without nested tables
    nrows = len(rows)
    for r, tr in enumerate(rows):
        c = 0
        for td in tr.iterchildren("td", "th"):
            while (r, c) in grid:
                c += 1
            if c >= MAX_TABLE_COLS:
                break
            text = _cell_text(td)
            rs = min(_span(td, "rowspan"), nrows - r)
            cs = min(_span(td, "colspan"), MAX_TABLE_COLS - c)
            if rs == cs == 1:  # most cells: one position, no copies
                grid[(r, c)] = GridCell(text, c)
                c += 1
                continue
            for dr in range(rs):
                for dc in range(cs):
                    grid[(r + dr, c + dc)] = GridCell(text=text, col=c + dc, spanned=bool(dr or dc))
            c += cs
    widths = [0] * nrows
    for r, c in grid:
        if r < nrows:
            widths[r] = max(widths[r], c + 1)
    return [[grid.get((r, c)) or GridCell(text="", col=c) for c in range(widths[r])] for r in range(nrows)]


def _strings(root: HtmlElement) -> list[tuple[str, HtmlElement]]:
    """Every text node in document order with the element it belongs to (a tail belongs to
    the parent of the element it follows)."""
    out: list[tuple[str, HtmlElement]] = []
    for el in root.iter():
        if not isinstance(el, HtmlElement):
            continue
        if el.text:
            out.append((el.text, el))
        parent = el.getparent()
        if el.tail and parent is not None:
            out.append((el.tail, parent))
    return out


def _body(root: HtmlElement) -> HtmlElement:
    """The smallest element holding the report's section headings and tables."""
    marks: list[HtmlElement] = []
    title_node: HtmlElement | None = None
    for text, parent in _strings(root):
        if len(text) < 4 or parent.tag in ("title", "script", "style"):
            continue  # shorter than any anchor (a cell's figure, most texts here)
        flat = _WS.sub("", text)
        if len(flat) >= 80:
            continue
        if any(a in flat for a in _ANCHORS):
            marks.append(parent)
        elif not marks and "年度报告" in flat:
            title_node = parent  # the last one before the first heading is the title
    if title_node is not None and marks:
        marks.append(title_node)
    for t in root.iter("table"):
        if not _has_table_inside(t) and _names_a_report_table(text_of(t)):
            marks.append(t)
    start = body_of(root)
    if len(marks) < 2:
        return start
    paths = [list(reversed([m, *m.iterancestors()])) for m in marks]
    lca: HtmlElement = start
    for level in zip(*paths, strict=False):
        if all(x is level[0] for x in level):
            lca = level[0]
        else:
            break
    if lca.tag == "html":
        return start
    return lca


_TABLE_WORDS = ("本年新收", "信息内容", "行政复议")


def _names_a_report_table(text: str) -> bool:
    """A table of the report: one of its column or row words, whitespace inside it ignored (the
    text as it is asked first: a word found there is found without the whitespace too)."""
    if any(w in text for w in _TABLE_WORDS):
        return True
    flat = _WS.sub("", text)
    return any(w in flat for w in _TABLE_WORDS)


class _Emitter:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.tables = 0
        self.images = 0
        self.image_refs: list[tuple[str, int]] = []  # src, and the block it stands before
        self.table_rows = 0
        self.problems: list[ParseProblem] = []

    def flush(self) -> None:
        text = _WS.sub(" ", "".join(self.buf)).strip()
        self.buf = []
        if text:
            self.blocks.append(Block(text=text, line=len(self.blocks) + 1))

    def table(self, t: HtmlElement) -> None:
        self.flush()
        idx = self.tables
        self.tables += 1
        budget = min(MAX_TABLE_ROWS, MAX_DOCUMENT_TABLE_ROWS - self.table_rows)
        if budget <= 0:
            if not self.problems:
                self.problems.append(_row_cap_problem(idx, MAX_DOCUMENT_TABLE_ROWS))
            return
        grid = expand_table(t, budget + 1)
        if len(grid) > budget:
            grid = grid[:budget]
            self.problems.append(_row_cap_problem(idx, budget))
        self.table_rows += len(grid)
        for r, row in enumerate(grid):
            real = [c.text for c in row if not c.spanned]
            if not any(real):
                continue
            self.blocks.append(
                Block(text="\t".join(real), line=len(self.blocks) + 1, cells=row, table=idx, row=r)
            )

    def walk(self, node: HtmlElement) -> None:
        if node.text:
            self.buf.append(node.text)
        for child in node:
            if is_element(child):
                self.element(child)
            if child.tail:
                self.buf.append(child.tail)

    def element(self, child: HtmlElement) -> None:
        name = child.tag
        if name in _SKIP:
            return
        if name == "table" and not _has_table_inside(child):
            self.table(child)
        elif name == "br":
            self.flush()
        elif name == "img":
            self.images += 1
            src = str(child.get("src") or child.get("data-src") or "").strip()
            if src and not src.startswith("data:"):
                self.flush()
                self.image_refs.append((src, len(self.blocks)))
        elif name in _BLOCK or name == "table":
            self.flush()
            self.walk(child)
            self.flush()
        else:
            self.walk(child)


def _row_cap_problem(table: int, limit: int) -> ParseProblem:
    return ParseProblem(
        where="document",
        reason=f"网页表格行数过多（超过 {limit} 行），只读取了前 {limit} 行",
        detail={"table": table, "limit": limit},
    )


def _title_hints(root: HtmlElement) -> list[str]:
    """The ArticleTitle meta tag, every h1/h2 and the <title>: candidate report titles."""
    hints: list[str] = []
    meta = next(
        (m for m in root.iter("meta") if _ARTICLE_TITLE.search(m.get("name") or "") and m.get("content")),
        None,
    )
    if meta is not None:
        hints.append(str(meta.get("content")))
    for h in root.iter("h1", "h2"):
        hints.append(_cell_text(h))
    title = root.find(".//title")
    if title is not None and len(title) == 0 and title.text:
        hints.append(title.text)
    return hints


def html_document(html: str) -> tuple[Document, list[ParseProblem]]:
    root = html_tree(html)
    em = _Emitter()
    hints: list[str] = []
    if root is not None:
        hints = _title_hints(root)
        drop_elements(root, *_SKIP)
        em.walk(_body(root))
        em.flush()
    doc = Document(
        blocks=em.blocks, input_kind="html", title_hints=hints, images_in_body=em.images, images=em.image_refs
    )
    problems: list[ParseProblem] = list(em.problems)
    flat = _WS.sub("", doc.text)
    if em.tables == 0 and len(flat) < 600 and any(w in flat or w in " ".join(hints) for w in _ERROR_PAGE):
        problems.append(
            ParseProblem(
                where="document",
                reason="网页是错误提示页（如「文件不存在」），不是年度报告正文",
                detail={"text": flat[:200]},
            )
        )
    elif not flat:
        problems.append(ParseProblem(where="document", reason="网页没有可读的正文文字"))
    return doc, problems
