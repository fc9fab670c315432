"""What the chat services answered: an error code inside an HTTP 200 is a failure.

WeCom, DingTalk and Feishu bots answer HTTP 200 to a request they reject (too long, bad key,
rate limited) and put the error in the JSON body (``{"errcode": 40058, ...}``); apprise only
looks at the status code and reports success, so such a message was counted as sent while
nobody received it. The responses apprise's plugins get from ``requests.post`` are kept for
the current thread while a message is sent, and read here."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests

_local = threading.local()
_lock = threading.Lock()
_installed = False

# Which field of the JSON answer carries the service's own result code (0 is success).
CODE_FIELDS: dict[str, tuple[str, ...]] = {
    "wecombot": ("errcode",),
    "dingtalk": ("errcode",),
    "feishu": ("code", "StatusCode"),
    "lark": ("code", "StatusCode"),
}
MESSAGE_FIELDS = ("errmsg", "msg", "StatusMessage")


def _install() -> None:
    """Wrap ``requests.post`` once; outside `capture` the wrapper only passes through."""
    global _installed
    with _lock:
        if _installed:
            return
        original = requests.post

        def post(*args: Any, **kwargs: Any) -> requests.Response:
            response = original(*args, **kwargs)
            box = getattr(_local, "box", None)
            if box is not None:
                box.append(response)
            return response

        requests.post = post
        _installed = True


@contextmanager
def capture() -> Iterator[list[requests.Response]]:
    """The responses the plugins receive on this thread inside the block."""
    _install()
    box: list[requests.Response] = []
    _local.box = box
    try:
        yield box
    finally:
        _local.box = None


def service_error(schema: str, responses: list[requests.Response]) -> str | None:
    """The error a service put in a 200 answer (「errcode 40058: markdown.content exceed…」), or None."""
    fields = CODE_FIELDS.get(schema)
    if not fields:
        return None
    for response in responses:
        if response.status_code != 200:
            continue
        try:
            data = response.json()
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        for name in fields:
            code = data.get(name)
            if code not in (None, 0, "0"):
                detail = next((str(data[m]) for m in MESSAGE_FIELDS if data.get(m)), "")
                return f"{schema} answered HTTP 200 with {name} {code}: {detail}"[:500]
    return None
