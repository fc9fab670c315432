"""A digest split into numbered parts within each channel's limit, delivered through apprise's
real plugins to local receivers that answer like the services do (a 200 with an error code
for a message over the limit); and slow receivers.

The chat plugins post to fixed addresses (qyapi.weixin.qq.com, …); the tests point their
``notify_url`` at the local receiver, everything else is apprise's own code over real HTTP."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from apprise.plugins.dingtalk import NotifyDingTalk
from apprise.plugins.feishu import NotifyFeishu
from apprise.plugins.wecombot import NotifyWeComBot

from alerts.deliver import deliver_pending
from alerts.limits import DINGTALK, FEISHU, MAIL, WECOM
from alerts.outbox import enqueue
from models.db import session_scope
from models.tables import row_id
from tests.known import known

from .conftest import SMTP_PASSWORD, SMTP_USER, email_text, write_config
from .helpers import BALANCE_EVIDENCE, agency, states, utc

T0 = utc(2025, 2, 5, 9)
PART = re.compile(r"（(\d+)/(\d+)）")
SENTENCE = "依据法定职责，我局负责管理 15 项行政许可项目，并在 2024 年内成功办理了 15 项行政许可。"


def seed_findings(url: str, n: int) -> list[int]:
    """``n`` finding alerts for one district, half arithmetic, half text-table with a quote."""
    ids = []
    with session_scope(url) as s:
        gx, yj = agency(s, "zhanhe-gongxin"), agency(s, "zhanhe-yingji")
        for i in range(n):
            who = gx if i % 2 else yj
            payload = {
                "rule": "T3-BALANCE" if i % 2 else "TEXT-TABLE",
                "message": f"问题{i}",
                "evidence": BALANCE_EVIDENCE
                if i % 2
                else {
                    "topic": "licensing",
                    "section": "overview",
                    "sentence": f"{SENTENCE}（第{i}条）",
                    "cells": [
                        {
                            "table": 2,
                            "row": "licensing",
                            "row_label": "行政许可",
                            "column": "decisions",
                            "column_label": "本年处理决定数量",
                        }
                    ],
                    "stated": 15,
                    "table_value": 9,
                    "difference": 6,
                },
                "url": f"http://www.zhanhe.gov.cn/r/{i}.html",
            }
            a = enqueue(
                s,
                kind="finding",
                dedup_key=f"finding:{i}",
                agency=who,
                year=2024,
                severity="warning",
                tags=["office"],
                payload=payload,
            )
            ids.append(row_id(known(a)))
    return ids


@pytest.fixture(autouse=True)
def no_throttle(monkeypatch) -> None:
    """apprise waits 5.5 s between two messages to one bot (the services' rate limits); the
    tests send a few parts in a row and do not need to wait."""
    for plugin in (NotifyWeComBot, NotifyDingTalk, NotifyFeishu):
        monkeypatch.setattr(plugin, "request_rate_per_sec", 0)


def _parts(texts: list[str]) -> list[tuple[int, int]]:
    out = []
    for t in texts:
        m = PART.search(t)
        assert m, t[:200]
        out.append((int(m[1]), int(m[2])))
    return sorted(out)


def _ids_in(text: str) -> set[int]:
    return {int(x) for x in re.findall(r"提醒编号 #(\d+)", text)}


def _service(
    limit_bytes: int, field: str, code: int, measure
) -> Callable[[str, dict], tuple[int, dict, bool]]:
    """An answer function: over the limit -> HTTP 200 with an error code (not delivered)."""

    def answer(path: str, body: dict) -> tuple[int, dict, bool]:
        if measure(body) > limit_bytes:
            return 200, {field: code, "errmsg": "message too long"}, False
        return 200, {field: 0, "errmsg": "ok"}, True

    return answer


def test_wecom_digest_is_split_into_parts_of_at_most_2048_bytes(db_url, sink, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(NotifyWeComBot, "notify_url", sink.http_url + "/cgi-bin/webhook/send?key={key}")
    sink.answer = _service(2048, "errcode", 40058, lambda b: len(b["text"]["content"].encode()))
    ids = seed_findings(db_url, 12)
    cfg = write_config(
        tmp_path / "a.yaml",
        "urls:\n  - wecombot://botkey1234:\n      - tag: office\n        name: 湛河区政务公开办\n",
    )

    report = deliver_pending(db_url, cfg, now=T0)

    got = [m["text"]["content"] for m in sink.messages]
    assert report.ok and sorted(report.sent) == sorted(ids)
    assert len(got) >= 3 and all(len(c.encode()) <= WECOM.max_size for c in got)
    n = len(got)
    assert _parts(got) == [(i, n) for i in range(1, n + 1)]
    seen = [i for c in got for i in _ids_in(c)]
    assert sorted(seen) == sorted(ids)  # every alert in exactly one part
    assert all(a.state == "sent" for a in states(db_url).values())


def test_an_error_code_in_a_200_answer_is_not_marked_sent(db_url, sink, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(NotifyWeComBot, "notify_url", sink.http_url + "/cgi-bin/webhook/send?key={key}")
    sink.answer = lambda path, body: (200, {"errcode": 93000, "errmsg": "invalid webhook url"}, False)
    seed_findings(db_url, 2)
    cfg = write_config(tmp_path / "a.yaml", "urls:\n  - wecombot://botkey1234:\n      - tag: office\n")

    report = deliver_pending(db_url, cfg, now=T0)

    assert not report.ok and report.sent == [] and len(report.retrying) == 2
    for a in states(db_url).values():
        assert (
            a.state == "pending"
            and "93000" in known(a.last_error)
            and "botkey1234" not in known(a.last_error)
        )


def test_dingtalk_parts_fit_20000_bytes_of_request(db_url, sink, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(NotifyDingTalk, "notify_url", sink.http_url + "/robot/send?access_token={token}")
    sink.answer = _service(20_000, "errcode", 460101, lambda b: len(json.dumps(b)))
    ids = seed_findings(db_url, 60)
    cfg = write_config(
        tmp_path / "a.yaml", "urls:\n  - dingtalk://abcdef123456/?format=markdown:\n      - tag: office\n"
    )

    report = deliver_pending(db_url, cfg, now=T0)

    assert report.ok and sorted(report.sent) == sorted(ids)
    assert len(sink.messages) >= 2 and all(m["_bytes"] <= DINGTALK.max_size for m in sink.messages)
    texts = [m["markdown"]["text"] for m in sink.messages]
    assert _parts(texts) == [(i, len(texts)) for i in range(1, len(texts) + 1)]


def test_feishu_parts_fit_20_kb_of_request(db_url, sink, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(NotifyFeishu, "notify_url", sink.http_url + "/open-apis/bot/v2/hook/{token}/")
    sink.answer = _service(20 * 1024, "code", 9499, lambda b: len(json.dumps(b)))
    ids = seed_findings(db_url, 60)
    cfg = write_config(tmp_path / "a.yaml", "urls:\n  - feishu://tokenabcdef123456:\n      - tag: office\n")

    report = deliver_pending(db_url, cfg, now=T0)

    assert report.ok and sorted(report.sent) == sorted(ids)
    assert len(sink.messages) >= 2 and all(m["_bytes"] <= FEISHU.max_size for m in sink.messages)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.slow  # a receiver that answers late
def test_mail_digest_parts_fit_the_mail_limit(db_url, smtp_server, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("NIANBAO_TEST_SMTP_PW", SMTP_PASSWORD)
    ids = seed_findings(db_url, 240)
    url = (
        f"mailto://{SMTP_USER}:${{NIANBAO_TEST_SMTP_PW}}@{smtp_server.host}:{smtp_server.port}"
        f"?smtp={smtp_server.host}&mode=insecure&from=nianbao@monitor.example.cn&to=gkb@zhanhe.example.gov.cn"
    )
    cfg = write_config(
        tmp_path / "a.yaml", f"urls:\n  - {url}:\n      - tag: office\n        name: 湛河区政务公开办\n"
    )

    report = deliver_pending(db_url, cfg, now=T0)

    mails = smtp_server.mailbox.snapshot()
    assert report.ok and sorted(report.sent) == sorted(ids) and len(mails) >= 2
    subjects = [m["Subject"] for m in mails]
    assert all(s.startswith("【政务公开监测】") and "湛河区政务公开办" in s for s in subjects)
    assert _parts(subjects) == [(i, len(mails)) for i in range(1, len(mails) + 1)]
    for m in mails:
        markdown_part = m.get_body(preferencelist=("plain",))
        size = len((markdown_part or m.get_body()).get_content().encode())
        assert size <= MAIL.max_size + 2000  # apprise's text part is the Markdown source, as measured
    assert sorted(i for m in mails for i in _ids_in(email_text(m))) == sorted(ids)


@pytest.mark.slow  # a receiver that answers late
def test_a_slow_receiver_gets_one_message_and_the_alert_is_sent(db_url, sink, tmp_path: Path) -> None:
    sink.delay = 6.0  # apprise's default read timeout was 4 s: counted failed, sent again each run
    ids = seed_findings(db_url, 3)
    cfg = write_config(tmp_path / "a.yaml", f"urls:\n  - {sink.url}/office:\n      - tag: office\n")

    report = deliver_pending(db_url, cfg, now=T0)

    assert report.ok and sorted(report.sent) == sorted(ids)
    assert len(sink.messages) == 1
    again = deliver_pending(db_url, cfg, now=T0 + timedelta(days=1))
    assert again.claimed == [] and len(sink.messages) == 1
    assert all(a.state == "sent" and a.attempts == 1 for a in states(db_url).values())


@pytest.mark.slow  # a receiver that answers late
def test_a_receiver_slower_than_the_timeout_sees_the_same_idempotency_key_again(
    db_url, sink, tmp_path
) -> None:
    sink.delay = 2.0
    seed_findings(db_url, 2)
    cfg = write_config(
        tmp_path / "a.yaml",
        f"nianbao: {{read_timeout_seconds: 1}}\nurls:\n  - {sink.url}/office:\n      - tag: office\n",
    )
    first = deliver_pending(db_url, cfg, now=T0)
    assert first.sent == [] and len(first.retrying) == 2  # no answer in time: not known to have arrived
    sink.delay = 0.0
    second = deliver_pending(db_url, cfg, now=T0 + timedelta(hours=1))
    assert len(second.sent) == 2
    keys = [m["_idempotency_key"] for m in sink.messages]
    assert len(keys) == 2 and keys[0] == keys[1] and len(keys[0]) == 32  # the receiver can drop the repeat
    assert all(m["idempotency_key"] == keys[0] for m in sink.messages)  # also as a field of the body


def test_every_webhook_message_has_its_own_idempotency_key(db_url, sink, tmp_path) -> None:
    seed_findings(db_url, 2)
    cfg = write_config(
        tmp_path / "a.yaml",
        f"nianbao: {{urgent_kinds: [finding]}}\nurls:\n  - {sink.url}/office:\n      - tag: office\n",
    )
    deliver_pending(db_url, cfg, now=T0)
    keys = {m["_idempotency_key"] for m in sink.messages}
    assert len(sink.messages) == 2 and len(keys) == 2
