"""How much one message may carry on each channel, in one table (docs/alerts.md copies it).

A message over the limit is not cut by the services we send to: WeCom and DingTalk answer
HTTP 200 with an error code and deliver nothing, which apprise counts as sent. So a digest is
split into numbered parts (「（1/3）」) that each fit, before it is sent.

| channel | apprise schema | limit | measured as | source |
|---|---|---|---|---|
| WeCom group bot (企业微信群机器人) | `wecombot://` | 2,048 bytes (apprise sends `msgtype: text`; markdown would allow 4,096) | UTF-8 bytes of the content | WeCom bot API: text.content ≤ 2048 bytes, markdown.content ≤ 4096 (errcode 40058 「markdown.content exceed max length 4096」) |
| DingTalk group bot (钉钉) | `dingtalk://` | 20,000 bytes | bytes of the JSON request body | errcode 460101 「message too long, exceed 20000 bytes」 |
| Feishu / Lark group bot (飞书) | `feishu://`, `lark://` | 20 KB request body (apprise caps the body at 19,985) | bytes of the JSON request body | Feishu custom bot guide: 「请求体的数据大小不能超过 20 KB」 |
| e-mail | `mailto://`, `mailtos://` | 80,000 bytes of Markdown | UTF-8 bytes | Gmail and mobile clients clip a message over ~102 KB of HTML; 20% is left for the markup apprise adds |
| anything else | — | apprise's own `body_maxlen` of the plugin | characters | apprise |

apprise escapes every non-ASCII character as ``\\uXXXX`` in the JSON it posts (6 bytes for
one Chinese character), so a limit on the request body is measured on that escaped form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

Unit = Literal["utf8", "json", "chars"]
ENVELOPE = 200  # bytes of JSON around the text (msgtype, keys, title) in a bot's request


@dataclass(frozen=True)
class ChannelLimit:
    channel: str
    max_size: int
    unit: Unit

    def size(self, title: str, body: str) -> int:
        if self.unit == "utf8":
            return len(body.encode("utf-8"))
        if self.unit == "json":
            return len(json.dumps({"title": title, "text": body})) + ENVELOPE
        return len(body)

    def fits(self, title: str, body: str) -> bool:
        return self.size(title, body) <= self.max_size


WECOM = ChannelLimit("企业微信群机器人", 2048, "utf8")
DINGTALK = ChannelLimit("钉钉群机器人", 20_000, "json")
FEISHU = ChannelLimit("飞书群机器人", 20 * 1024, "json")
MAIL = ChannelLimit("电子邮件", 80_000, "utf8")

LIMITS: dict[str, ChannelLimit] = {
    "wecombot": WECOM,
    "dingtalk": DINGTALK,
    "feishu": FEISHU,
    "lark": FEISHU,
    "mailto": MAIL,
    "mailtos": MAIL,
}


def limit_for(schema: str, server: Any = None) -> ChannelLimit | None:
    """The limit of a channel by its apprise schema; else the plugin's own ``body_maxlen``
    (None when it has none: a generic webhook takes what it is sent)."""
    if schema in LIMITS:
        return LIMITS[schema]
    maxlen = getattr(server, "body_maxlen", 0) if server is not None else 0
    if isinstance(maxlen, int) and maxlen > 0:
        return ChannelLimit(schema or "webhook", maxlen, "chars")
    return None
