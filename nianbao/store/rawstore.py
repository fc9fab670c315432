"""Content-addressed storage of every fetched byte, written before anything parses it.

Whatever a parser later makes of a document, the original is kept under its sha256 so a
person can open it and a fixed parser can re-read it.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store_raw(root: Path, data: bytes) -> tuple[str, Path]:
    """Write ``data`` once under ``root/ab/abcdef…``; return its digest and path."""
    digest = sha256_of(data)
    path = Path(root) / digest[:2] / digest
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(
            f".tmp{os.getpid()}-{threading.get_ident()}"
        )  # threads store the same bytes too
        tmp.write_bytes(data)
        os.replace(tmp, path)  # atomic: a reader never sees a half-written file
    return digest, path


def load_raw(root: Path, digest: str) -> bytes:
    return (Path(root) / digest[:2] / digest).read_bytes()
