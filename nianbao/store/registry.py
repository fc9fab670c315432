"""The agency registry: a YAML file the oversight office edits, loaded into the database.

Checked when it is loaded, so a mistake is refused at `nianbao agencies sync` (or
`--check`), not found halfway through a run: unknown keys (`entry_url:` for `entry_urls:`
would leave the agency without a column), bad URLs, a column whose host is not among
`allowed_hosts`, dates that are not YYYY-MM-DD, codes used twice. Each error names the
file, the district and the agency (code and name) and the key, in Chinese.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import threading
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlmodel import Session, SQLModel, select

from models.tables import Agency, Jurisdiction
from nianbao.runtime.settings import get_settings

# libyaml's loader when PyYAML was built with it: a registry of thousands of agencies loads ~10x faster
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

AgencyKind = Literal["department", "town", "street", "government", "aggregate"]
Level = Literal["county", "city", "province"]
_HTTP_URL = TypeAdapter(HttpUrl)
_CODE = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"  # codes are alert tags too (alerts.config.TAG_RE)
_HOST = r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?(?::\d{1,5})?$"


class RegistryError(ValueError):
    """The registry file cannot be used; the message says where and why."""


def _http_url(value: str) -> str:
    """Checked as an http(s) URL, kept as written (the crawl caches know it by that text)."""
    _HTTP_URL.validate_python(value)
    return value.strip()


Code = Annotated[str, Field(pattern=_CODE)]
EntryUrl = Annotated[str, AfterValidator(_http_url)]
HostName = Annotated[str, Field(pattern=_HOST, max_length=253)]
Year = Annotated[int, Field(ge=2000, le=2100)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AgencyEntry(_Strict):
    code: Code
    name: str = Field(min_length=1)
    short_names: list[str] = Field(default_factory=list)
    kind: AgencyKind = "department"
    entry_urls: list[EntryUrl] = Field(default_factory=list)
    allowed_hosts: list[HostName] = Field(default_factory=list)
    deadline_overrides: dict[Year, date] = Field(default_factory=dict)
    active: bool = True
    adapter: str = "auto"  # pin the CMS family when `auto` guesses wrong (scrapers/adapters)
    http_fallback: bool = False  # a broken certificate: fetch the same URL over plain http
    # The agency's entry URLs are its own column: an untitled report there is its own. Without
    # it, an entry URL that no other agency of the registry lists counts as its own all the same.
    own: bool = False

    @field_validator("adapter")
    @classmethod
    def _known_adapter(cls, value: str) -> str:
        from scrapers.adapters.auto import adapter_names

        names = ["auto", *adapter_names()]
        if value not in names:
            raise ValueError(f"没有名为 {value!r} 的栏目适配器（可选：{'、'.join(names)}）")
        return value

    @model_validator(mode="after")
    def _hosts_cover_the_columns(self) -> AgencyEntry:
        if self.entry_urls and not self.allowed_hosts:
            raise ValueError("填写了 entry_urls，但 allowed_hosts 为空：这样任何页面都不能抓取")
        from scrapers.fetcher import host_allowed

        outside = [u for u in self.entry_urls if not host_allowed(u, self.allowed_hosts)]
        if outside:
            hosts = "、".join(sorted({urlsplit(u).hostname or u for u in outside}))
            raise ValueError(f"栏目地址的主机 {hosts} 不在 allowed_hosts 中")
        return self


class JurisdictionEntry(_Strict):
    code: Code
    name: str = Field(min_length=1)
    parent: str | None = None
    # province | city (设区的市) | county; unset: as the name tells (「…区」「…县」: county).
    level: Level | None = None
    deadline_overrides: dict[AgencyKind, dict[Year, date]] = Field(default_factory=dict)
    agencies: list[AgencyEntry] = Field(default_factory=list)


class RegistrySettings(_Strict):
    deadline_inclusive: bool = True
    due_soon_days: int = Field(14, ge=0)
    grace_days: int = Field(0, ge=0)
    health_alert_after: int = Field(3, ge=1)


class HostEntry(_Strict):
    """One portal host's politeness, for every worker: `delay` seconds between two requests
    (instead of NIANBAO_PER_HOST_DELAY; a robots.txt Crawl-delay still only makes it longer),
    `concurrency` flow runs crawling it at once (the slots of its `host-…` limit, instead of
    NIANBAO_HOST_CONCURRENCY)."""

    delay: float | None = Field(None, ge=0, le=60)
    concurrency: int | None = Field(None, ge=1, le=20)


class Registry(_Strict):
    settings: RegistrySettings = Field(default_factory=RegistrySettings)
    # host or host:port (as in the entry URLs) -> its politeness
    hosts: dict[HostName, HostEntry] = Field(default_factory=dict)
    jurisdictions: list[JurisdictionEntry] = Field(default_factory=list)

    @field_validator("hosts", mode="after")
    @classmethod
    def _hosts_once(cls, value: dict[str, HostEntry]) -> dict[str, HostEntry]:
        """Keys as the fetcher knows hosts (lowercase, no trailing dot); one entry per host."""
        from scrapers.politeness import normalise_host_key

        out: dict[str, HostEntry] = {}
        for key, entry in value.items():
            name = normalise_host_key(key)
            if name in out:
                raise ValueError(f"主机 {name} 写了两次（主机名不区分大小写）")
            out[name] = entry
        return out


# -- errors in the office's words ----------------------------------------------------------

_MODELS: dict[str, type[BaseModel]] = {
    "registry": Registry,
    "settings": RegistrySettings,
    "jurisdiction": JurisdictionEntry,
    "agency": AgencyEntry,
    "host": HostEntry,
}


_BOUNDS = {  # pydantic's bound errors in the office's words: (word, (ctx key, phrase))
    "greater_than_equal": ("太小", ("ge", "应不小于")),
    "greater_than": ("太小", ("gt", "应大于")),
    "less_than_equal": ("太大", ("le", "应不大于")),
    "less_than": ("太大", ("lt", "应小于")),
}


def _why(err: Any, key: str, model: type[BaseModel]) -> str:
    kind, value = err["type"], err.get("input")
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(key.rsplit(".", 1)[-1], list(model.model_fields), n=1, cutoff=0.6)
        return "不认识的键" + (
            f"（是否应为 {close[0]}？）" if close else f"（可用的键：{'、'.join(model.model_fields)}）"
        )
    if kind == "missing":
        return "缺少必填的键"
    if kind.startswith("url_"):
        return f"{value!r} 不是有效的网址（应以 http:// 或 https:// 开头的完整地址）"
    if kind.startswith("date_"):
        return f"日期 {value!r} 格式不对，应写成 YYYY-MM-DD（例如 2025-01-28）"
    if kind == "literal_error":
        expected = str(err.get("ctx", {}).get("expected", "")).replace(" or ", "、").replace(", ", "、")
        return f"{value!r} 不是可选的值（可选：{expected}）"
    if kind == "string_pattern_mismatch":
        if key == "allowed_hosts" or "allowed_hosts" in str(err["loc"]) or err["loc"][:1] == ("hosts",):
            return f"{value!r} 不是主机名（只写主机，如 www.zhanhe.gov.cn，不带 http:// 和路径）"
        return f"代码 {value!r} 只能由字母、数字和 - _ . 组成"
    if kind in ("int_parsing", "greater_than_equal", "less_than_equal") and "[key]" in err["loc"]:
        return f"年度 {value!r} 应为四位数的年份（如 2024）"
    if kind in ("int_parsing", "int_type"):
        return f"{value!r} 应为整数"
    if kind in ("float_parsing", "float_type"):
        return f"{value!r} 应为数字（秒）"
    if kind in _BOUNDS:
        word, (bound, phrase) = _BOUNDS[kind]
        limit = err.get("ctx", {}).get(bound, "")
        return (
            f"{value!r} {word}（{phrase} {limit:g}）"
            if isinstance(limit, int | float)
            else f"{value!r} {word}"
        )
    if kind in ("bool_parsing", "bool_type"):
        return f"{value!r} 应为 true 或 false"
    if kind in ("list_type",):
        return f"应为列表（例如 [{value!r}]）"
    if kind in ("dict_type", "model_type"):
        return "应为键值对（映射）"
    if kind in ("string_type", "string_too_short"):
        return "应为非空文字"
    if kind == "value_error":
        return str(err.get("ctx", {}).get("error") or err["msg"])
    return str(err["msg"])


def _where(loc: tuple[Any, ...], raw: Any) -> tuple[str, str, type[BaseModel]]:
    """(the district / agency the error is in, the key, the model that key belongs to)."""
    parts: list[str] = []
    model: type[BaseModel] = Registry
    key = ""
    node: Any = raw
    i = 0
    while i < len(loc):
        step = loc[i]
        if step == "jurisdictions" and i + 1 < len(loc) and isinstance(loc[i + 1], int):
            j = _item(node, "jurisdictions", loc[i + 1])
            parts.append(f"辖区 {_label(j, loc[i + 1])}")
            node, model, i = j, JurisdictionEntry, i + 2
            continue
        if step == "agencies" and i + 1 < len(loc) and isinstance(loc[i + 1], int):
            a = _item(node, "agencies", loc[i + 1])
            parts.append(f"单位 {_label(a, loc[i + 1])}")
            node, model, i = a, AgencyEntry, i + 2
            continue
        if step == "hosts" and model is Registry and i + 1 < len(loc):
            if i + 2 < len(loc) and loc[i + 2] == "[key]":
                return "hosts", "", Registry
            parts.append(f"hosts 中的主机 {loc[i + 1]}")
            node, model, i = None, HostEntry, i + 2
            continue
        if step == "settings" and model is Registry:
            parts.append("settings")
            node, model, i = node.get("settings") if isinstance(node, dict) else None, RegistrySettings, i + 1
            continue
        key = ".".join(str(s) for s in loc[i:] if s != "[key]" and not isinstance(s, int))
        break
    return "，".join(parts), key, model


def _item(node: Any, field: str, index: int) -> Any:
    items = node.get(field) if isinstance(node, dict) else None
    return items[index] if isinstance(items, list) and index < len(items) else None


def _label(entry: Any, index: int) -> str:
    if isinstance(entry, dict) and entry.get("code"):
        return f"{entry['code']}（{entry.get('name') or '未填名称'}）"
    return f"第 {index + 1} 项（没有 code）"


def _explain(path: Path, exc: ValidationError, raw: Any) -> str:
    lines = []
    for err in exc.errors():
        where, key, model = _where(tuple(err["loc"]), raw)
        head = "，".join(x for x in (where, f"键 {key}" if key else "") if x) or "文件顶层"
        lines.append(f"  - {head}：{_why(err, key, model)}")
    return f"登记表文件 {path} 有 {len(lines)} 处错误：\n" + "\n".join(lines)


def _duplicates(path: Path, registry: Registry) -> list[str]:
    problems = []
    seen_j: dict[str, str] = {}
    for j in registry.jurisdictions:
        if j.code in seen_j:
            problems.append(f"  - 辖区代码 {j.code} 用了两次（{seen_j[j.code]} 和 {j.name}）")
        seen_j.setdefault(j.code, j.name)
    seen_a: dict[str, str] = {}
    for j in registry.jurisdictions:
        for a in j.agencies:
            place = f"{j.code} 的 {a.name}"
            if a.code in seen_a:
                problems.append(f"  - 单位代码 {a.code} 用了两次（{seen_a[a.code]} 和 {place}）")
            seen_a.setdefault(a.code, place)
    if problems:
        return [f"登记表文件 {path} 有 {len(problems)} 处代码重复：", *problems]
    return []


def load_registry(path: Path) -> Registry:
    path = Path(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)
    except FileNotFoundError as exc:
        raise RegistryError(f"找不到登记表文件 {path}") from exc
    except UnicodeDecodeError as exc:
        raise RegistryError(f"登记表文件 {path} 不是 UTF-8 编码的文本") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"（第 {mark.line + 1} 行第 {mark.column + 1} 列）" if mark is not None else ""
        raise RegistryError(f"登记表文件 {path} 不是有效的 YAML{where}：{exc}") from exc
    try:
        registry = Registry.model_validate(raw or {})
    except ValidationError as exc:
        raise RegistryError(_explain(path, exc, raw)) from exc
    dupes = _duplicates(path, registry)
    if dupes:
        raise RegistryError("\n".join(dupes))
    return registry


def own_entries(registry: Registry) -> dict[str, list[str]]:
    """Agency code -> the entry URLs that are its own column: all of them when the registry says
    `own: true`, else those no other active agency of the registry lists (a district's shared
    column is nobody's own)."""
    listed = Counter(
        url for j in registry.jurisdictions for a in j.agencies if a.active for url in set(a.entry_urls)
    )
    return {
        a.code: list(a.entry_urls) if a.own else [u for u in a.entry_urls if listed[u] == 1]
        for j in registry.jurisdictions
        for a in j.agencies
    }


def _columns(entry: BaseModel, table: type[SQLModel]) -> dict[str, Any]:
    """The entry's values the table has columns for, as JSON (dates as YYYY-MM-DD)."""
    dumped = entry.model_dump(mode="json")
    return {k: v for k, v in dumped.items() if k in table.model_fields and k != "id"}


def sync_registry(session: Session, registry: Registry) -> dict[str, int]:
    """Insert or update jurisdictions and agencies; agencies dropped from the file are deactivated."""
    counts = {"jurisdictions": 0, "agencies_added": 0, "agencies_updated": 0, "agencies_deactivated": 0}
    seen: set[str] = set()
    owned = own_entries(registry)
    for j in registry.jurisdictions:
        jur = session.exec(select(Jurisdiction).where(Jurisdiction.code == j.code)).first()
        if jur is None:
            jur = Jurisdiction(code=j.code, name=j.name)
        for k, v in _columns(j, Jurisdiction).items():
            setattr(jur, k, v)
        session.add(jur)
        session.flush()
        counts["jurisdictions"] += 1
        for a in j.agencies:
            seen.add(a.code)
            agency = session.exec(select(Agency).where(Agency.code == a.code)).first()
            values = _columns(a, Agency) | {"jurisdiction_id": jur.id, "own_entries": owned[a.code]}
            if agency is None:
                session.add(Agency(**values))
                counts["agencies_added"] += 1
                continue
            changed = any(getattr(agency, k) != v for k, v in values.items())
            for k, v in values.items():
                setattr(agency, k, v)
            counts["agencies_updated"] += int(changed)
            session.add(agency)
    for agency in session.exec(select(Agency).where(Agency.active == True)):
        if agency.code not in seen:
            agency.active = False
            session.add(agency)
            counts["agencies_deactivated"] += 1
    return counts


_Blocks = tuple[RegistrySettings, dict[str, HostEntry]]
_registry_cache: dict[str, tuple[tuple[int, int], _Blocks]] = {}
_registry_lock = threading.Lock()  # one loader at a time: the others wait for its result


def _registry_blocks() -> _Blocks:
    """The registry's `settings:` and `hosts:` blocks, re-read only when the file changes. Every
    agency task asks, and loading a registry of thousands of agencies costs more than crawling
    one, so the tasks of a run that start together wait for one load instead of each their own;
    and each process (a flow run, `nianbao report`) finds the blocks in a small file beside the
    data (`_settings_cache_path`) instead of parsing all the agencies again (≈2 s at 5,000)."""
    path = get_settings().registry_path
    with _registry_lock:
        try:
            st = path.stat()
        except FileNotFoundError:
            return RegistrySettings(), {}
        stamp = (st.st_mtime_ns, st.st_size)
        cached = _registry_cache.get(str(path))
        if cached is None or cached[0] != stamp:
            known = _read_settings_cache(path, stamp)
            if known is None:
                registry = load_registry(path)
                known = (registry.settings, registry.hosts)
                _write_settings_cache(path, stamp, known)
            cached = (stamp, known)
            _registry_cache[str(path)] = cached
        return cached[1]


def registry_settings() -> RegistrySettings:
    """The registry's `settings:` block (a copy: callers may change it)."""
    return _registry_blocks()[0].model_copy()


def registry_hosts() -> dict[str, HostEntry]:
    """The registry's `hosts:` block: host or host:port -> its delay and concurrency."""
    return dict(_registry_blocks()[1])


def _settings_cache_path(path: Path) -> Path:
    key = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:16]
    return get_settings().data_dir / "cache" / f"registry-settings-{key}.json"


def _read_settings_cache(path: Path, stamp: tuple[int, int]) -> _Blocks | None:
    """The cached blocks when they were read from this very file version (its mtime and size)."""
    try:
        saved = json.loads(_settings_cache_path(path).read_text(encoding="utf-8"))
        if tuple(saved["stamp"]) != stamp:
            return None
        hosts = {h: HostEntry.model_validate(e) for h, e in saved["hosts"].items()}
        return RegistrySettings.model_validate(saved["settings"]), hosts
    except (OSError, ValueError, KeyError, TypeError, ValidationError):
        return None


def _write_settings_cache(path: Path, stamp: tuple[int, int], blocks: _Blocks) -> None:
    """Best effort: a cache that cannot be written is read in full next time."""
    target = _settings_cache_path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(
            json.dumps(
                {
                    "stamp": list(stamp),
                    "settings": blocks[0].model_dump(mode="json"),
                    "hosts": {h: e.model_dump(mode="json") for h, e in blocks[1].items()},
                }
            ),
            encoding="utf-8",
        )
        os.replace(tmp, target)
    except OSError:
        pass
