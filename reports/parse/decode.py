"""Bytes → text, one policy for the fetcher and the parser.

Portals lie about charsets: old TRS sites send GBK with no charset or with ``utf-8`` in the
header, others label UTF-8 pages ``gb2312``. So: a byte-order mark wins; then the charset
the header or a ``<meta>`` declares, when the bytes decode with it (a GB label over bytes
that are valid non-ASCII UTF-8 loses to UTF-8: GBK text is almost never valid UTF-8, while
mislabelled UTF-8 pages are common; Western single-byte labels decode anything and are only
used when neither UTF-8 nor GB18030 fits); then UTF-8; then GB18030 (a superset of
GBK/GB2312), lossy only when nothing fits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.I)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "gb_2312-80", "hz-gb-2312"}
_SINGLE_BYTE = {"iso-8859-1", "latin1", "latin-1", "l1", "windows-1252", "cp1252", "us-ascii", "ascii"}


@dataclass(slots=True)
class Decoded:
    text: str
    encoding: str
    lossy: bool = False  # undecodable bytes were replaced


def _normalise(charset: str | None) -> str | None:
    if not charset:
        return None
    cs = charset.strip().lower()
    if cs in _GB_FAMILY:
        return "gb18030"
    if cs in ("utf8", "utf-8"):
        return "utf-8"
    return cs


def header_charset(content_type: str | None) -> str | None:
    m = _HEADER_CHARSET.search(content_type or "")
    return _normalise(m.group(1)) if m else None


def meta_charset(content: bytes) -> str | None:
    m = _META_CHARSET.search(content[:4096])
    return _normalise(m.group(1).decode("ascii", "ignore")) if m else None


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _has_non_ascii(data: bytes) -> bool:
    return any(b > 0x7F for b in data[:65536])


_CJK = re.compile(r"[\u3400-\u9fff]")
# letters a Chinese portal's page does not hold when it holds no Chinese: two-byte UTF-8 other
# than accented Latin, the three-byte scripts below U+2000 (Indic, Thai, Hangul jamo …; the
# punctuation from U+2000 on is kept out), and Yi, Hangul syllables and the private use area
# (U+A000–U+F8FF; the full-width forms Chinese text uses are above it)
_UNLIKELY_LETTERS = re.compile(r"[\u0080-\u00bf\u0180-\u1fff\ua000-\uf8ff]")


def _gbk_posing_as_utf8(utf8: str, data: bytes) -> str | None:
    """Short GBK text can be valid UTF-8 by accident: 「一一」 is D2BB D2BB, which UTF-8 reads as
    two Cyrillic letters 「һһ」, 「嗖丗」 E0B2 8146 as Kannada 「ಁ」 and 「F」, 「旖丗」 as Hangul. Chinese in
    real UTF-8 takes three bytes a character, so UTF-8 text with no CJK at all but such letters,
    whose GB18030 reading is Chinese, is GBK."""
    if _CJK.search(utf8) or not _UNLIKELY_LETTERS.search(utf8):
        return None
    gb = _strict(data, "gb18030")
    return gb if gb is not None and _CJK.search(gb) else None


def decode_bytes(data: bytes, content_type: str | None = None) -> Decoded:
    """The text of `data` and the encoding that gave it (see the module docstring)."""
    if data.startswith(b"\xef\xbb\xbf"):
        text = _strict(data[3:], "utf-8")
        if text is not None:
            return Decoded(text, "utf-8-sig")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _strict(data, "utf-16")
        if text is not None:
            return Decoded(text, "utf-16")
    utf8 = _strict(data, "utf-8")
    if utf8 is not None and (gb_text := _gbk_posing_as_utf8(utf8, data)) is not None:
        return Decoded(gb_text, "gb18030")  # whatever a label says: old sites send GBK as utf-8
    declared = [cs for cs in (header_charset(content_type), meta_charset(data)) if cs]
    for cs in declared:
        if cs in _SINGLE_BYTE and _has_non_ascii(data):
            continue  # decodes anything; only a last resort
        if cs == "gb18030" and utf8 is not None and _has_non_ascii(data):
            return Decoded(utf8, "utf-8")
        text = _strict(data, cs)
        if text is not None:
            return Decoded(text, cs)
    if utf8 is not None:
        return Decoded(utf8, "utf-8")
    gb = _strict(data, "gb18030")
    if gb is not None:
        return Decoded(gb, "gb18030")
    for cs in declared:  # a Western label, now that nothing else fits
        text = _strict(data, cs)
        if text is not None:
            return Decoded(text, cs)
    return Decoded(data.decode("gb18030", errors="replace"), "gb18030", lossy=True)


def looks_like_text(text: str) -> bool:
    """False for binary noise: many control or replacement characters."""
    if not text:
        return False
    sample = text[:4000]
    bad = sum(1 for ch in sample if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\r\n\f"))
    return bad / len(sample) < 0.05
