"""What a link promises and what counts as a file, in the terms of the one sniffer
(`reports.parse.sniff`): the fetcher calls a `.pdf` link that returns a 「文件不存在」 page a
fake file, and the parser reads whatever the bytes are."""

from __future__ import annotations

from reports.parse.sniff import IMAGE_EXTS

# Scans are published as image attachments too: their links are documents to fetch.
DOCUMENT_EXTS = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".ofd", ".rtf", *IMAGE_EXTS)
# `reports.parse.sniff.sniff` kinds that are files (not a web page, text or nothing)
FILE_KINDS = frozenset({"pdf", "docx", "xlsx", "zip", "doc", "xls", "ole", "rtf", "image"})


def url_wants_document(url: str) -> bool:
    path = url.split("?", 1)[0].split("#", 1)[0].lower()
    return path.endswith(DOCUMENT_EXTS)
