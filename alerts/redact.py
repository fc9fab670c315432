"""Secret redaction for everything that leaves delivery: errors stored in ``Alert.last_error``,
the captured apprise log, reports. Apprise URLs carry passwords and webhook tokens; those must
never reach the database or a log."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, unquote, urlsplit

MASK = "***"
_USERINFO = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:)(?P<pw>[^@\s/]+)@")
_SECRET_KEYS = {"pass", "password", "pwd", "secret", "token", "key", "apikey", "access_token", "auth"}
_SPLIT = re.compile(r"[/:@?&=#,;\s]+")


def _looks_secret(piece: str) -> bool:
    """Tokens and keys are long and not plain lowercase words (``insecure``, ``starttls``)."""
    return (len(piece) >= 8 and not piece.isalpha()) or (len(piece) >= 8 and not piece.islower())


class Redactor:
    """Replaces every known secret value (and URL userinfo passwords) with ``***``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        for s in secrets:
            self.add(s)

    def add(self, secret: str | None) -> None:
        if not secret or len(secret) < 3:
            return
        for variant in {secret, unquote(secret)}:
            if len(variant) >= 3:
                self._secrets.add(variant)

    def add_url(self, raw_url: str, privacy_url: str = "") -> None:
        """Learn the secrets of an apprise URL: its password, and every piece of the raw URL
        that its privacy-mode rendering hides (tokens, keys, webhook paths)."""
        try:
            parts = urlsplit(raw_url)
            self.add(parts.password)
            for key, value in parse_qsl(parts.query):
                # +Header=... (e.g. Authorization) and -param=... travel verbatim in apprise's
                # privacy URL, so they are secret by position, not by name
                if key[:1] in {"+", "-"} or key.lower() in _SECRET_KEYS:
                    self.add(value)
        except ValueError:
            pass
        if privacy_url:
            visible = set(_SPLIT.split(unquote(privacy_url)))
            for piece in _SPLIT.split(raw_url):
                if _looks_secret(piece) and piece not in visible and unquote(piece) not in visible:
                    self.add(piece)

    def __call__(self, text: str | None) -> str:
        if not text:
            return ""
        # longest first, so a secret containing another is masked whole
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return _USERINFO.sub(lambda m: f"{m.group('head')}{MASK}@", text)
