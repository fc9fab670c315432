"""One way to read an HTML page into a tree, for the report parser and the portal scrapers.

lxml's own tree, not BeautifulSoup's: BeautifulSoup drives the same lxml parser and then
rebuilds every node in Python, which cost more than everything else a crawl does per page.
"""

from __future__ import annotations

from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HTMLParser, HtmlProcessingInstruction

_PARSER = HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
# lxml.html picks each node's class in Python (a <form> gets FormElement …), once per node
# touched; nothing here uses those classes, and the same choice made in C costs nothing.
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
    )
)
_INVISIBLE = ("script", "style", "template", "noscript")


def html_tree(html: str) -> HtmlElement | None:
    """The page's root element, or None for an empty page. Comments and processing
    instructions are dropped (the text after them is kept)."""
    data = html.encode("utf-8", "replace")  # bytes with a stated encoding: a <meta charset> cannot mislead
    if not data.strip():
        return None
    try:
        return etree.fromstring(data, _PARSER)
    except etree.ParserError:
        return None


def drop_elements(root: HtmlElement, *tags: str) -> None:
    """Remove every element named in `tags`, with its content (the text after it stays)."""
    etree.strip_elements(root, *tags, with_tail=False)


def drop_invisible(root: HtmlElement) -> None:
    """Remove script, style, template and noscript elements (the text after them stays)."""
    drop_elements(root, *_INVISIBLE)


def body_of(root: HtmlElement) -> HtmlElement:
    """<body>, or the root when the page has none."""
    body = root if root.tag == "body" else root.find(".//body")
    return body if body is not None else root


def text_of(el: HtmlElement, sep: str = "", strip: bool = False) -> str:
    """The element's text like BeautifulSoup's ``get_text(sep, strip=strip)``."""
    parts = el.itertext()
    if strip:
        return sep.join(s for s in (p.strip() for p in parts) if s)
    return sep.join(parts)


def is_element(node: object, *names: str) -> bool:
    """An element (not a comment or entity), optionally one of `names`."""
    return isinstance(node, HtmlElement) and (not names or node.tag in names)
