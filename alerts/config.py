"""The apprise YAML that says who receives what.

It is plain apprise YAML (``version: 1``, ``urls:`` with a ``tag:`` per URL) plus an optional
``nianbao:`` block that apprise itself ignores (urgent kinds, lease, backoff). ``${VAR}`` is
expanded from the environment before apprise sees the file, because apprise YAML has no
environment substitution and passwords must not sit in a file under version control."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qsl, urlsplit

import yaml
from apprise import AppriseAsset, LogCapture
from apprise.config.base import ConfigBase
from apprise.plugins.base import NotifyBase

from alerts.redact import Redactor

TAG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")  # apprise reads ":" in a tag as priority/retry
_VAR = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
DEFAULT_URGENT_KINDS: tuple[str, ...] = ()
# apprise waits 4 s for an answer by default; a receiver behind a gateway (an office's OA system,
# a relay to WeCom) often takes longer, and a message that arrived after 4 s was counted failed
# and sent again on every run. Per URL, ``?rto=``/``?cto=`` still win (docs/alerts.md).
DEFAULT_READ_TIMEOUT = 30.0
DEFAULT_CONNECT_TIMEOUT = 10.0


class ConfigError(ValueError):
    """The alert config cannot be used; the message never contains a secret."""


@dataclass
class Recipient:
    """One apprise URL with its tags. ``rid`` identifies it across runs without any secret in it."""

    server: NotifyBase
    tags: frozenset[str]
    label: str  # privacy-mode URL, safe to log
    rid: str
    text_only: bool
    name: str | None = None  # the display name (``name:`` in the config), e.g. 湛河区政务公开办

    @property
    def display(self) -> str:
        """How a person is told who this is: the configured name, else the channel kind."""
        return self.name or channel_name(self.server)


@dataclass
class AlertConfig:
    recipients: list[Recipient]
    urgent_kinds: frozenset[str] = frozenset(DEFAULT_URGENT_KINDS)
    lease_seconds: int = 600
    backoff_base_seconds: int = 300
    backoff_max_seconds: int = 6 * 3600
    max_attempts: int = 8
    read_timeout_seconds: float = DEFAULT_READ_TIMEOUT
    connect_timeout_seconds: float = DEFAULT_CONNECT_TIMEOUT
    redact: Redactor = field(default_factory=Redactor)

    @property
    def tags(self) -> list[str]:
        return sorted({t for r in self.recipients for t in r.tags})

    def recipients_for(self, tags: set[str] | frozenset[str] | list[str]) -> list[Recipient]:
        wanted = set(tags)
        return [r for r in self.recipients if r.tags & wanted]


CHANNEL_NAMES = {
    "wecombot": "企业微信群机器人",
    "dingtalk": "钉钉群机器人",
    "feishu": "飞书群机器人",
    "lark": "飞书群机器人",
    "mailto": "电子邮件",
    "mailtos": "电子邮件",
    "json": "网络接口（JSON）",
    "jsons": "网络接口（JSON）",
    "form": "网络接口（表单）",
    "forms": "网络接口（表单）",
    "xml": "网络接口（XML）",
    "xmls": "网络接口（XML）",
}


def schema_of(server: Any) -> str:
    protocol = getattr(server, "secure_protocol", None) or getattr(server, "protocol", None) or ""
    if isinstance(protocol, list | tuple):
        protocol = protocol[0] if protocol else ""
    url = server.url(privacy=True) if hasattr(server, "url") else ""
    return (url.split("://", 1)[0] if "://" in url else str(protocol)).lower()


def channel_name(server: Any) -> str:
    """「企业微信群机器人」, 「电子邮件」…: what kind of channel an unnamed recipient is."""
    return CHANNEL_NAMES.get(schema_of(server), "提醒接收方")


def make_asset(plugin_paths: list[str] | None = None) -> AppriseAsset:
    """In-memory persistent store: delivery must not write apprise caches under $HOME.
    `plugin_paths`: apprise custom-notification modules (``@apprise.decorators.notify``) for a
    channel apprise lacks; loading them registers their URL schema for this process."""
    asset = AppriseAsset(storage_mode="memory", plugin_paths=plugin_paths or None)
    asset.app_id = "nianbao-monitor"
    asset.app_desc = "政府信息公开工作年度报告监测"
    return asset


def _plugin_paths(value: Any, source: str) -> list[str]:
    """``nianbao: plugin_paths:`` as absolute paths (relative ones from the config's folder);
    each must exist, or the config is refused naming it."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{source}: nianbao.plugin_paths must be a list of paths")
    base = Path(source).parent if Path(source).suffix else Path.cwd()
    paths = [Path(v) if Path(v).is_absolute() else base / v for v in value]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise ConfigError(f"{source}: nianbao.plugin_paths not found: {', '.join(missing)}")
    return [str(p) for p in paths]


def expand_env(text: str, env: Mapping[str, str] | None = None) -> str:
    """``${VAR}`` -> value from the environment; ``$$`` -> ``$``. A missing variable is an error
    (naming the variable, never a value) rather than an empty password."""
    env = os.environ if env is None else env

    def sub(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m.group(1)
        if name not in env:
            raise ConfigError(f"environment variable {name} is not set (used in the alert config)")
        return env[name]

    return _VAR.sub(sub, text)


def _expand_tree(node: Any, env: Mapping[str, str] | None) -> Any:
    if isinstance(node, str):
        return expand_env(node, env)
    if isinstance(node, list):
        return [_expand_tree(n, env) for n in node]
    if isinstance(node, dict):
        return {_expand_tree(k, env): _expand_tree(v, env) for k, v in node.items()}
    return node


def _url_entries(urls: Any) -> list[str]:
    """The URL strings of an apprise YAML ``urls:`` list (string, or one-key dict form)."""
    out: list[str] = []
    for entry in urls or []:
        if isinstance(entry, str):
            out.append(entry)
        elif isinstance(entry, dict):
            out.extend(str(k) for k in entry)
    return out


def _take_names(urls: Any) -> list[str | None]:
    """The ``name:`` of each URL entry (湛河区政务公开办), in the order of `_url_entries`, removed
    from the entries: apprise ignores the key, and a plugin with a ``name`` argument must not
    receive it. A recipient is shown by this name, never by its tags."""
    names: list[str | None] = []
    for entry in urls or []:
        if isinstance(entry, str):
            names.append(None)
            continue
        if not isinstance(entry, dict):
            continue
        for options in entry.values():
            found: str | None = None
            blocks = options if isinstance(options, list) else [options]
            for block in blocks:
                if isinstance(block, dict) and "name" in block:
                    value = block.pop("name")
                    found = str(value).strip() or None if value is not None else None
            names.append(found)
    return names


def _private_values(server: Any) -> list[str]:
    """Values of the plugin's own private tokens/args (webhook keys, secrets)."""
    out: list[str] = []
    specs = {**getattr(server, "template_tokens", {}), **getattr(server, "template_args", {})}
    for key, spec in specs.items():
        if isinstance(spec, dict) and spec.get("private"):
            value = getattr(server, spec.get("map_to", key), None)
            if isinstance(value, str):
                out.append(value)
    pw = getattr(server, "password", None)
    if isinstance(pw, str):
        out.append(pw)
    return out


def parse_config(text: str, *, env: Mapping[str, str] | None = None, source: str = "<config>") -> AlertConfig:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected an apprise YAML mapping with a 'urls:' list")
    if "include" in data:
        raise ConfigError(f"{source}: 'include' is not supported; put all URLs in one file")
    data = _expand_tree(data, env)
    own = data.pop("nianbao", None) or {}
    if not isinstance(own, dict):
        raise ConfigError(f"{source}: 'nianbao:' must be a mapping")
    plugins = _plugin_paths(own.get("plugin_paths"), source)
    raw_urls = _url_entries(data.get("urls"))
    names = _take_names(data.get("urls"))
    if not raw_urls:
        raise ConfigError(f"{source}: no URLs under 'urls:'")

    redact = Redactor()
    for raw in raw_urls:
        redact.add_url(raw)
    with LogCapture(level=logging.WARNING) as log:
        parsed, _ = ConfigBase.config_parse_yaml(
            yaml.safe_dump(data, allow_unicode=True), asset=make_asset(plugins)
        )
    servers = cast(list[NotifyBase], parsed)  # apprise annotates them `object`; they are its plugins
    if len(servers) != len(raw_urls):
        problems = redact(log.getvalue().strip()) or "apprise did not accept some URLs"
        raise ConfigError(
            f"{source}: {len(raw_urls) - len(servers)} of {len(raw_urls)} URLs are invalid: {problems}"
        )

    for raw, server in zip(raw_urls, servers, strict=False):
        for secret in _private_values(server):
            redact.add(secret)
        redact.add_url(raw, server.url(privacy=True))

    recipients = []
    for server, name in zip(servers, names, strict=False):
        full = redact(server.url(privacy=True))
        label = full.split("?", 1)[0]  # query strings carry options and headers; keep them out of logs
        tags = frozenset(str(t) for t in (server.tags or ()))
        bad = sorted(t for t in tags if not TAG_RE.match(t))
        if bad:
            raise ConfigError(
                f"{source}: invalid tag(s) {bad} on {label}: use letters, digits, '-', '_', '.'"
            )
        if not tags:
            raise ConfigError(f"{source}: {label} has no tag; give it 'office', a district or an agency code")
        rid = hashlib.sha256(f"{full}|{','.join(sorted(tags))}".encode()).hexdigest()[:16]
        text_only = str(getattr(server.notify_format, "value", server.notify_format)) == "text"
        recipients.append(Recipient(server, tags, label, rid, text_only, name))

    def _int(key: str, default: int) -> int:
        value = own.get(key, default)
        if not isinstance(value, int) or value < 0:
            raise ConfigError(f"{source}: nianbao.{key} must be a non-negative integer")
        return value

    def _seconds(key: str, default: float) -> float:
        value = own.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ConfigError(f"{source}: nianbao.{key} must be a positive number of seconds")
        return float(value)

    read_timeout = _seconds("read_timeout_seconds", DEFAULT_READ_TIMEOUT)
    connect_timeout = _seconds("connect_timeout_seconds", DEFAULT_CONNECT_TIMEOUT)
    for raw, r in zip(raw_urls, recipients, strict=False):
        query = {k.lower() for k, _ in parse_qsl(urlsplit(raw).query)}
        if "rto" not in query:
            r.server.socket_read_timeout = read_timeout
        if "cto" not in query:
            r.server.socket_connect_timeout = connect_timeout

    urgent = own.get("urgent_kinds", list(DEFAULT_URGENT_KINDS))
    if not isinstance(urgent, list) or not all(isinstance(k, str) for k in urgent):
        raise ConfigError(f"{source}: nianbao.urgent_kinds must be a list of kinds")
    return AlertConfig(
        recipients=recipients,
        urgent_kinds=frozenset(urgent),
        lease_seconds=_int("lease_seconds", 600),
        backoff_base_seconds=_int("backoff_base_seconds", 300),
        backoff_max_seconds=_int("backoff_max_seconds", 6 * 3600),
        max_attempts=max(1, _int("max_attempts", 8)),
        read_timeout_seconds=read_timeout,
        connect_timeout_seconds=connect_timeout,
        redact=redact,
    )


def load_config(path: str | Path, *, env: Mapping[str, str] | None = None) -> AlertConfig:
    """Load and validate the apprise YAML at ``path`` (secrets via ``${VAR}``)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read alert config {p}: {exc.strerror}") from None
    return parse_config(text, env=env, source=str(p))


DEMO_CONFIG = """\
# nianbao-monitor alert recipients (apprise YAML). Generated for the demo.
# Secrets: write ${{VAR}} and export VAR; never commit a password.
version: 1
nianbao:
  urgent_kinds: [missing]   # sent at once, one message per alert; the rest go in one digest per run
  lease_seconds: 600
  max_attempts: 8
urls:
  # 政务公开办: everything
  - {office_url}:
      - tag: office
        name: 政务公开办
{district_entries}"""


def write_demo_config(
    path: str | Path,
    sink_url: str,
    districts: tuple[str, ...] = ("pds-zhanhe", "pds-xinhua"),
    names: Mapping[str, str] | None = None,
) -> Path:
    """A config that sends everything to the local webhook sink: ``office`` and one URL per
    district code (``sink_url`` + ``/<district>``), so the demo shows the routing; ``names``
    gives each district's recipient its display name (district code -> 「…政务公开办」)."""
    base = sink_url.rstrip("/")
    if base.startswith("http://"):
        base = "json://" + base.removeprefix("http://")
    names = names or {}
    entries = "".join(
        f"  - {base}/{d}:\n      - tag: {d}\n" + (f"        name: {names[d]}\n" if d in names else "")
        for d in districts
    )
    text = DEMO_CONFIG.format(office_url=f"{base}/office", district_entries=entries)
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    parse_config(text, source=str(p))  # never hand out a config we cannot read back
    return p
