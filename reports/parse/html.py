"""HTML pages → blocks: the report body only, tables expanded to full grids.

Portal pages wrap the report in navigation, related links and footers; the body is
the smallest element holding the report's headings and its tables. ``rowspan`` and
``colspan`` are expanded so every row has its real cells (copies are marked
``spanned`` so a value is never counted twice).
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from reports.model import ParseProblem
from reports.parse.blocks import Block, Document, GridCell
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


def _span(tag: Tag, attr: str) -> int:
    try:
        return max(1, min(int(str(tag.get(attr, "1")).strip() or "1"), 200))
    except ValueError:
        return 1


def _cell_text(tag: Tag) -> str:
    return _WS.sub(" ", tag.get_text(" ")).strip()


def expand_table(table: Tag, max_rows: int = MAX_TABLE_ROWS) -> list[list[GridCell]]:
    """A full grid: every row gets all its columns, rowspan/colspan copies marked spanned.

    At most ``max_rows`` rows and ``MAX_TABLE_COLS`` columns are expanded, so a hostile
    table (or absurd spans) costs bounded time and memory.
    """
    grid: dict[tuple[int, int], GridCell] = {}
    rows = table.find_all("tr", limit=max_rows)  # only called for tables without nested tables
    for r, tr in enumerate(rows):
        c = 0
        for td in [x for x in tr.children if isinstance(x, Tag) and x.name in ("td", "th")]:
            while (r, c) in grid:
                c += 1
            if c >= MAX_TABLE_COLS:
                break
            text = _cell_text(td)
            rs = min(_span(td, "rowspan"), len(rows) - r)
            cs = min(_span(td, "colspan"), MAX_TABLE_COLS - c)
            for dr in range(rs):
                for dc in range(cs):
                    grid[(r + dr, c + dc)] = GridCell(text=text, col=c + dc, spanned=bool(dr or dc))
            c += cs
    widths = [0] * len(rows)
    for r, c in grid:
        if r < len(rows):
            widths[r] = max(widths[r], c + 1)
    return [
        [grid.get((r, c)) or GridCell(text="", col=c) for c in range(widths[r])] for r in range(len(rows))
    ]


def _body(soup: BeautifulSoup) -> Tag:
    """The smallest element holding the report's section headings and tables."""
    marks: list[Tag] = []
    title_node: Tag | None = None
    for s in soup.find_all(string=True):
        if isinstance(s, Comment) or s.parent is None or s.parent.name in ("title", "script", "style"):
            continue
        flat = _WS.sub("", str(s))
        if len(flat) >= 80:
            continue
        if any(a in flat for a in _ANCHORS):
            marks.append(s.parent)
        elif not marks and "年度报告" in flat:
            title_node = s.parent  # the last one before the first heading is the title
    if title_node is not None and marks:
        marks.append(title_node)
    for t in soup.find_all("table"):
        if not t.find("table"):
            flat = _WS.sub("", t.get_text())
            if "本年新收" in flat or "信息内容" in flat or "行政复议" in flat:
                marks.append(t)
    root = soup.body or soup
    if len(marks) < 2:
        return root
    paths = [list(reversed([m, *m.parents])) for m in marks]
    lca: Tag = root
    for level in zip(*paths, strict=False):
        if all(x is level[0] for x in level) and isinstance(level[0], Tag):
            lca = level[0]
        else:
            break
    if lca.name in ("[document]", "html"):
        return root
    return lca


class _Emitter:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.tables = 0
        self.images = 0
        self.table_rows = 0
        self.problems: list[ParseProblem] = []

    def flush(self) -> None:
        text = _WS.sub(" ", "".join(self.buf)).strip()
        self.buf = []
        if text:
            self.blocks.append(Block(text=text, line=len(self.blocks) + 1))

    def table(self, t: Tag) -> None:
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

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                self.buf.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name in _SKIP:
                continue
            if name == "table" and not child.find("table"):
                self.table(child)
            elif name == "br":
                self.flush()
            elif name == "img":
                self.images += 1
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


def html_document(html: str) -> tuple[Document, list[ParseProblem]]:
    soup = BeautifulSoup(html, "lxml")
    hints: list[str] = []
    meta = soup.find("meta", attrs={"name": re.compile("ArticleTitle", re.I)})
    if isinstance(meta, Tag) and meta.get("content"):
        hints.append(str(meta["content"]))
    for h in soup.find_all(["h1", "h2"]):
        hints.append(_cell_text(h))
    if soup.title and soup.title.string:
        hints.append(str(soup.title.string))
    for bad in soup.find_all(list(_SKIP)):
        bad.decompose()
    body = _body(soup)
    em = _Emitter()
    em.walk(body)
    em.flush()
    doc = Document(blocks=em.blocks, input_kind="html", title_hints=hints, images_in_body=em.images)
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
