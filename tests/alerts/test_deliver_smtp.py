"""Real apprise mailto:// delivery into a local aiosmtpd server with SMTP AUTH."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from alerts.deliver import deliver_pending
from tests.known import known

from .conftest import SMTP_PASSWORD, SMTP_USER, email_text, write_config
from .helpers import BALANCE_TEXT, seed_alerts, states, utc

T0 = utc(2025, 2, 5, 9)
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def _mail_config(tmp_path: Path, smtp, password_var: str = "NIANBAO_TEST_SMTP_PW") -> Path:
    def url(to: str) -> str:
        return (
            f"mailto://{SMTP_USER}:${{{password_var}}}@{smtp.host}:{smtp.port}"
            f"?smtp={smtp.host}&mode=insecure&from=nianbao@monitor.example.cn&to={to}"
        )

    return write_config(
        tmp_path / "apprise.yaml",
        f"""urls:
  - {url("gongkaiban@zhanhe.example.gov.cn")}:
      - tag: office
        name: 市政务公开办
  - {url("zhanhe@zhanhe.example.gov.cn")}:
      - tag: pds-zhanhe
        name: 湛河区政务公开办
""",
    )


def test_mail_digest_per_tag_in_chinese_and_never_twice(db_url, smtp_server, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("NIANBAO_TEST_SMTP_PW", SMTP_PASSWORD)
    ids = seed_alerts(db_url)
    cfg = _mail_config(tmp_path, smtp_server)

    report = deliver_pending(db_url, cfg, now=T0)

    assert report.ok and sorted(report.sent) == sorted(ids.values())
    mails = smtp_server.mailbox.snapshot()
    by_to = {m["To"].addresses[0].addr_spec: m for m in mails}
    assert len(mails) == 2 and set(by_to) == {
        "gongkaiban@zhanhe.example.gov.cn",
        "zhanhe@zhanhe.example.gov.cn",
    }
    office = by_to["gongkaiban@zhanhe.example.gov.cn"]
    assert office["Subject"] == "【政务公开监测】3条提醒（错误2条） — 市政务公开办"
    text = email_text(office)
    assert BALANCE_TEXT in text
    assert "涧西区工业和信息化局" in text and "2025年1月31日" in text
    zhanhe = by_to["zhanhe@zhanhe.example.gov.cn"]
    assert zhanhe["Subject"] == "【政务公开监测】2条提醒（错误1条） — 湛河区政务公开办"
    assert "涧西" not in email_text(zhanhe)
    assert SMTP_PASSWORD not in report.log

    deliver_pending(db_url, cfg, now=T0 + timedelta(days=3))
    assert len(smtp_server.mailbox.snapshot()) == 2


def test_wrong_password_keeps_pending_without_leaking_it(db_url, smtp_server, tmp_path, monkeypatch) -> None:
    wrong = "Wr0ng-Pa55word-XYZ"
    monkeypatch.setenv("NIANBAO_TEST_SMTP_PW", wrong)
    seed_alerts(db_url)
    cfg = _mail_config(tmp_path, smtp_server)

    report = deliver_pending(db_url, cfg, now=T0)

    assert not report.ok and smtp_server.mailbox.snapshot() == []
    for a in states(db_url).values():
        assert a.state == "pending" and a.attempts == 1 and known(a.next_attempt_at) > T0
        assert a.last_error and "mailto://" in a.last_error
        assert wrong not in a.last_error
    assert wrong not in report.log and "535" in report.log  # apprise's log, captured and redacted

    monkeypatch.setenv("NIANBAO_TEST_SMTP_PW", SMTP_PASSWORD)  # the office fixes the secret
    fixed = deliver_pending(db_url, cfg, now=T0 + timedelta(hours=1))
    assert len(fixed.sent) == 3 and len(smtp_server.mailbox.snapshot()) == 2
