"""Bytes → text: UTF-8 (with or without BOM), then GB18030 (a superset of GBK/GB2312)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Decoded:
    text: str
    encoding: str
    lossy: bool = False  # undecodable bytes were replaced


def decode_bytes(data: bytes) -> Decoded:
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return Decoded(data[3:].decode("utf-8"), "utf-8-sig")
        except UnicodeDecodeError:
            pass
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return Decoded(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return Decoded(data.decode("gb18030"), "gb18030")
    except UnicodeDecodeError:
        return Decoded(data.decode("gb18030", errors="replace"), "gb18030", lossy=True)


def looks_like_text(text: str) -> bool:
    """False for binary noise: many control or replacement characters."""
    if not text:
        return False
    sample = text[:4000]
    bad = sum(1 for ch in sample if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\r\n\f"))
    return bad / len(sample) < 0.05
