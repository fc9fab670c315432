from __future__ import annotations

from pathlib import Path

import apprise
import pytest

from alerts.config import ConfigError, expand_env, load_config, parse_config, write_demo_config

from .conftest import write_config


def test_env_expansion_and_redaction_of_every_secret_kind() -> None:
    env = {
        "SMTP_PW": "p@ss-W0rd-163",
        "WECOM_KEY": "a1b2c3d4-0000-1111-2222-333344445555",
        "DT_TOKEN": "dt0123456789abcdef",
        "DT_SECRET": "SECdeadbeef0123",
        "FS_TOKEN": "fs-Token-98765",
    }
    cfg = parse_config(
        """
version: 1
nianbao: {urgent_kinds: [missing], lease_seconds: 120}
urls:
  - mailto://nianbao:${SMTP_PW}@163.com?to=office@example.gov.cn:
      - tag: office
  - wecombot://${WECOM_KEY}:
      - tag: pds-zhanhe
  - dingtalk://${DT_TOKEN}/?secret=${DT_SECRET}:
      - tag: office
  - feishu://${FS_TOKEN}:
      - tag: zhanhe-gongxin
""",
        env=env,
    )
    assert cfg.urgent_kinds == {"missing"} and cfg.lease_seconds == 120
    assert cfg.tags == ["office", "pds-zhanhe", "zhanhe-gongxin"]
    schemas = [r.label.split("://")[0] for r in cfg.recipients]
    assert schemas == ["mailto", "wecombot", "dingtalk", "feishu"]
    leak = " ".join(f"{r.label} https://x/{v} mailto://u:{v}@h" for r in cfg.recipients for v in env.values())
    redacted = cfg.redact(leak)
    for secret in env.values():
        assert secret not in redacted
    for r in cfg.recipients:
        for secret in env.values():
            assert secret not in r.label


def test_missing_env_var_is_named_without_values() -> None:
    with pytest.raises(ConfigError, match="SMTP_PW"):
        expand_env("mailto://u:${SMTP_PW}@163.com", env={})
    assert expand_env("a$${LITERAL}", env={}) == "a${LITERAL}"


def test_invalid_url_and_untagged_url_are_rejected(tmp_path: Path) -> None:
    bad = write_config(tmp_path / "a.yaml", "urls:\n  - nosuchscheme://x:\n      - tag: office\n")
    with pytest.raises(ConfigError, match="invalid"):
        load_config(bad)
    untagged = write_config(tmp_path / "b.yaml", "urls:\n  - json://127.0.0.1:9/x\n")
    with pytest.raises(ConfigError, match="no tag"):
        load_config(untagged)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.yaml")
    with pytest.raises(ConfigError, match="include"):
        parse_config("version: 1\ninclude: [http://x/y.yaml]\nurls: [json://h/x]\n")


def test_wecom_group_bot_is_wecombot_not_wecom() -> None:
    """The docs tell offices to use wecombot:// for a 企业微信群机器人; check the installed apprise."""
    service_of: dict[str, str] = {}
    for plugin in apprise.Apprise().details()["schemas"]:
        for proto in [*(plugin.get("protocols") or []), *(plugin.get("secure_protocols") or [])]:
            service_of[proto] = str(plugin["service_name"])
    assert {"wecombot", "dingtalk", "feishu", "mailto", "json"} <= set(service_of)
    assert service_of["wecombot"] == "WeCom Bot"
    # wecom:// is an alias of the third-party Pushplus relay, not 企业微信: a trap docs/alerts.md names
    assert service_of["wecom"] == "Pushplus"
    assert service_of["wechat"] == "WeChat (WeCom)"  # 企业微信 application message (corpid/secret/agentid)


def test_demo_config_round_trip(tmp_path: Path) -> None:
    path = write_demo_config(tmp_path / "apprise.yaml", "json://127.0.0.1:8099", districts=("pds-zhanhe",))
    cfg = load_config(path)
    assert cfg.tags == ["office", "pds-zhanhe"]
    assert [r.label.split("?")[0] for r in cfg.recipients] == [
        "json://127.0.0.1:8099/office",
        "json://127.0.0.1:8099/pds-zhanhe",
    ]
    assert cfg.urgent_kinds == {"missing"}
