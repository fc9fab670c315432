"""What an office reads may not show the inside of the program: the checks every text passes.

`problems(text, evidence)` lists what is wrong with a text a person reads (an alert in any
format, a run artifact, a report page): an ASCII evidence key or form key, a snake_case
identifier, a rule code outside the footer line, an English status word, an ISO time, a
value printed twice. The tests call `assert_office_text`; `test_office_text.py` also shows
the checker catches each of the texts the issue quotes from the old output."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from reports import form as _form
from reports.checks import RULES
from reports.checks.monitor_rules import MONITOR_RULES

URL = re.compile(r"https?://[^\s)<>\]\"'|]+|<https?://[^>]+>")
FOOTER = re.compile(r"^\s*——\s.*（供技术人员查阅）$|^\s*规则编号[：:].*（供技术人员查阅）$", re.M)
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2})?|[+-]\d{2}:\d{2}\b|\bUTC\b")
ENGLISH_WORDS = re.compile(
    r"\b(?:error|warning|info|open|ok|fail|cannot_assess|unreachable|blocked|not_crawled|None|True|False)\b"
)
LABELLED = re.compile(r"([\u4e00-\u9fff]{1,8})[：:]\s*([^\s，。；、（）]{1,40})")
CODES = set(RULES) | {m.id for m in MONITOR_RULES} | {"PARSE-ERROR"}
FORM_KEYS = (
    set(_form.SECTION_LABELS)
    | set(_form.TABLE2_ROW_LABELS)
    | set(_form.TABLE2_CELL_LABELS)
    | set(_form.TABLE3_ROW_LABELS)
    | set(_form.TABLE3_COLUMN_LABELS)
    | set(_form.TABLE4_GROUP_LABELS)
    | set(_form.TABLE4_CELL_LABELS)
)


def keys_of(node: Any) -> set[str]:
    """Every dict key in an evidence tree (the words a reader must never see)."""
    out: set[str] = set()
    if isinstance(node, Mapping):
        for k, v in node.items():
            out.add(str(k))
            out |= keys_of(v)
    elif isinstance(node, list | tuple):
        for v in node:
            out |= keys_of(v)
    return out


def long_strings(node: Any, min_len: int = 10) -> set[str]:
    """String values long enough that seeing one twice is a repeat, not a coincidence."""
    out: set[str] = set()
    if isinstance(node, Mapping):
        for k, v in node.items():
            if k != "anchor":
                out |= long_strings(v, min_len)
    elif isinstance(node, list | tuple):
        for v in node:
            out |= long_strings(v, min_len)
    elif isinstance(node, str) and len(node) >= min_len and not node.startswith("http"):
        out.add(node)
    return out


def reader_part(text: str) -> str:
    """The text without links and the footer line for the technical reader."""
    return URL.sub(" ", FOOTER.sub("", text))


def problems(
    text: str,
    evidence: Any = None,
    *,
    single: bool = True,
    allowed_words: Iterable[str] = (),
    repeated_lines: bool = True,
) -> list[str]:
    """What a reader should not see in ``text``; [] when it is clean."""
    found: list[str] = []
    if re.search(r"</?(?:p|br|strong|a|table|blockquote|ul|li)\b", text):  # HTML: read its text
        text = html.unescape(re.sub(r"<a [^>]*>|<[^>]+>", "\n", text))
    body = reader_part(text)
    for word in allowed_words:
        body = body.replace(word, " ")
    keys = (keys_of(evidence) | FORM_KEYS) - {"url"}
    for key in sorted(keys):
        if len(key) >= 3 and re.search(rf"(?<![A-Za-z0-9_-]){re.escape(key)}(?![A-Za-z0-9_-])", body):
            found.append(f"internal key {key!r}")
    for token in re.findall(r"\b[a-z]+:[A-Za-z]\w*", body):
        found.append(f"internal value {token!r}")
    for token in SNAKE.findall(body):
        found.append(f"identifier {token!r}")
    for code in sorted(CODES):
        if re.search(rf"(?<![A-Z-]){re.escape(code)}(?![A-Z-])", body):
            found.append(f"rule code {code!r} outside the footer")
    for word in ENGLISH_WORDS.findall(body):
        found.append(f"English word {word!r}")
    for stamp in ISO_TIME.findall(body):
        found.append(f"machine time {stamp!r}")
    if "=" in re.sub(r"={3,}| = ", "", body) or "{" in body:
        found.append("key=value or JSON")
    for value in sorted(long_strings(evidence)):
        n = text.count(value)
        if n > 1:
            found.append(f"value printed {n} times: {value[:30]!r}")
    lines = [ln.strip(" -*>") for ln in text.splitlines()]
    repeated = [
        ln for ln, n in Counter(ln for ln in lines if len(ln) > 6 and set(ln) - set("=-|")).items() if n > 1
    ]
    if repeated_lines:  # a table (a report page) repeats a district in every row, rightly
        found += [f"line printed twice: {ln[:40]!r}" for ln in repeated]
    if single:
        pairs = LABELLED.findall(body)
        values = Counter(v for _, v in pairs)
        found += [f"value {v!r} under two labels" for v, n in values.items() if n > 1]
        labels = Counter(label for label, _ in pairs)
        found += [f"label {label!r} twice" for label, n in labels.items() if n > 1]
    return found


def assert_office_text(text: str, evidence: Any = None, **kwargs: Any) -> None:
    bad = problems(text, evidence, **kwargs)
    assert not bad, f"{bad}\n---\n{text}"
