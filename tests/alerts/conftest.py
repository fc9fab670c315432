"""Fixtures: a migrated SQLite DB with two districts, a real SMTP server, the real webhook sink."""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from alerts.sink import WebhookSink, start_webhook_sink
from models.db import migrate, session_scope
from models.tables import Agency, Jurisdiction, row_id

SMTP_USER = "nianbao-bot"
SMTP_PASSWORD = "Zh4nhe-S3cret-pw"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    """What the SMTP server accepted, parsed."""

    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        msg = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(msg)
        return "250 OK"

    def snapshot(self) -> list[EmailMessage]:
        with self.lock:
            return list(self.messages)


def email_text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    assert part is not None
    return part.get_content()


@dataclass
class SmtpServer:
    host: str
    port: int
    mailbox: Mailbox
    controller: Controller


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == SMTP_USER
        and auth_data.password.decode() == SMTP_PASSWORD
    )
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 235/535 itself


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    box = Mailbox()
    port = free_port()
    ctl = Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticator,
        auth_required=True,
        auth_require_tls=False,
        enable_SMTPUTF8=True,
    )
    ctl.start()
    try:
        yield SmtpServer("127.0.0.1", port, box, ctl)
    finally:
        ctl.stop()


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[WebhookSink]:
    s = start_webhook_sink(store=tmp_path / "sink.jsonl")
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/t.db"
    migrate(url)
    with session_scope(url) as s:
        zh = Jurisdiction(code="pds-zhanhe", name="平顶山市湛河区", parent="平顶山市")
        jx = Jurisdiction(code="ly-jianxi", name="洛阳市涧西区", parent="洛阳市")
        s.add(zh)
        s.add(jx)
        s.flush()
        s.add(Agency(code="zhanhe-gongxin", name="湛河区工业和信息化局", jurisdiction_id=row_id(zh)))
        s.add(Agency(code="zhanhe-yingji", name="湛河区应急管理局", jurisdiction_id=row_id(zh)))
        s.add(Agency(code="jianxi-gongxin", name="涧西区工业和信息化局", jurisdiction_id=row_id(jx)))
    return url


def write_config(path: Path, body: str) -> Path:
    path.write_text("version: 1\n" + body, encoding="utf-8")
    return path
