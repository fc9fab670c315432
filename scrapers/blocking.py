"""Recognise anti-bot gateways so a challenge page is reported as "blocked", never parsed.

Signatures from spec portals.md §1.10: 瑞数 (412/202 + FSSBBIl1UgzbN7N cookies or $_ts),
WZWS (wzws_cid / wzwschallenge), 加速乐 (521/512 + __jsl_clearance), 创宇盾 (418 访问被拦截),
geo-IP 403/412, a 200 carrying only a tiny JS stub, and a 200 page of any vendor (or none) that
is a challenge: a line or two asking the visitor to pass a verification, and a script.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

ANTI_BOT_STATUSES = {412, 418, 512, 521}
_TAG = re.compile(r"<[^>]+>")
_SCRIPT = re.compile(r"<script\b.*?</script>", re.I | re.S)
_STYLE = re.compile(r"<style\b.*?</style>", re.I | re.S)
# What a challenge page asks of its visitor (Chinese gateways and the common foreign ones).
_CHALLENGE = re.compile(
    r"安全验证|人机验证|访问验证|身份验证|验证码|滑动验证|拖动滑块|向右滑动|点击按钮(?:进行|开始)?验证|"
    r"请完成(?:下方)?验证|正在(?:进行)?安全(?:检测|检查)|浏览器安全检查|请稍候|正在跳转|请开启JavaScript|"
    r"请启用JavaScript|enable javascript|checking your browser|verify you are (?:a )?human|captcha|"
    r"just a moment|ddos protection|access denied",
    re.I,
)
CHALLENGE_MAX_TEXT = 200  # visible characters: a report page has thousands


@dataclass(frozen=True)
class Block:
    vendor: str  # rivers | wzws | jiasule | chuangyudun | geo | js_stub | challenge | empty
    detail: str  # human-readable, Chinese for the alert text


def _visible_text(body: str) -> str:
    text = _TAG.sub(" ", _STYLE.sub(" ", _SCRIPT.sub(" ", body)))
    return re.sub(r"\s+", "", text.replace("&nbsp;", ""))


def detect_block(
    status: int,
    set_cookies: Iterable[str],
    body: bytes,
    location: str | None = None,
    expect_html: bool = True,
) -> Block | None:
    """Return the gateway that answered instead of the site, or None."""
    cookies = " ".join(set_cookies)
    text = body[:65536].decode("utf-8", errors="ignore")
    low = text.lower()
    if "FSSBBIl1UgzbN7N" in cookies or (status in (202, 412) and "$_ts" in text):
        return Block("rivers", "瑞数信息（Rivers Security）动态防护拦截")
    if (
        "wzws_cid" in cookies
        or "wzwschallenge" in cookies
        or "wzwschallenge" in low
        or "wzws" in (location or "")
    ):
        return Block("wzws", "网站卫士（WZWS）人机验证拦截")
    if (
        "__jsl_clearance" in cookies
        or "__jsl_clearance" in text
        or (status in (512, 521) and "__jsluid" in cookies)
    ):
        return Block("jiasule", "加速乐（Jiasule）JS 验证拦截")
    if status == 418 or ("访问被拦截" in text and (status >= 400 or len(body) < 4096)):
        return Block("chuangyudun", "创宇盾（Knownsec）访问被拦截")
    if status in (403, 412):
        return Block("geo", f"HTTP {status}：疑似地域/IP 访问限制")
    if status in (512, 521):
        return Block("jiasule", f"HTTP {status}：疑似加速乐防护")
    if status == 200 and expect_html:
        if not body.strip():
            return Block("empty", "返回空内容（疑似频率限制）")
        if looks_like_challenge(text):
            return Block("challenge", "返回人机验证页面，未返回正文（疑似反爬）")
        if len(body) < 2048 and "<script" in low and len(_visible_text(text)) < 40:
            return Block("js_stub", "仅返回 JS 跳转脚本，未返回正文（疑似反爬）")
    return None


def looks_like_challenge(html: str) -> bool:
    """A page that only asks for a verification: a script, little visible text, and that text
    asking the visitor to verify (no vendor signature needed)."""
    if "<script" not in html[:65536].lower():
        return False
    visible = _visible_text(html[:65536])
    return len(visible) <= CHALLENGE_MAX_TEXT and _CHALLENGE.search(visible) is not None
