"""The YAML registry: loading, clear errors on bad input, idempotent sync."""

from pathlib import Path

import pytest
from sqlmodel import select

from models.db import session_scope
from models.tables import Agency, Jurisdiction
from nianbao.runtime.settings import PROJECT_ROOT
from nianbao.store.registry import RegistryError, load_registry, sync_registry

DEFAULT = PROJECT_ROOT / "nianbao" / "agencies.yaml"


def test_default_registry_has_the_seed_agencies_on_official_domains() -> None:
    reg = load_registry(DEFAULT)
    agencies = {a.code: a for j in reg.jurisdictions for a in j.agencies}
    assert set(agencies) >= {"zhanhe-gongxin", "zhanhe-yingji", "shunhe-shenpi", "jianxi-gongxin"}
    assert {j.name for j in reg.jurisdictions} == {"平顶山市湛河区", "开封市顺河回族区", "洛阳市涧西区"}
    for a in agencies.values():
        assert a.entry_urls and all(".gov.cn" in u for u in a.entry_urls)


def test_sync_is_idempotent_and_deactivates_removed(db_url: str, tmp_path: Path) -> None:
    reg = load_registry(DEFAULT)
    with session_scope(db_url) as s:
        first = sync_registry(s, reg)
    with session_scope(db_url) as s:
        second = sync_registry(s, reg)
    assert first["agencies_added"] == 4
    assert second["agencies_added"] == 0 and second["agencies_updated"] == 0
    reg.jurisdictions[0].agencies.pop()
    with session_scope(db_url) as s:
        third = sync_registry(s, reg)
        assert third["agencies_deactivated"] == 1
        assert len(s.exec(select(Agency)).all()) == 4
        assert len(s.exec(select(Jurisdiction)).all()) == 3
        assert len(s.exec(select(Agency).where(Agency.active == True)).all()) == 3


AGENCY = "      - code: zhanhe-yingji\n        name: 湛河区应急管理局\n"
HEAD = "jurisdictions:\n  - code: pds-zhanhe\n    name: 平顶山市湛河区\n    agencies:\n" + AGENCY
GOOD_COLUMN = (
    "        entry_urls: [https://www.zhanhe.gov.cn/channels/zfxxgknb.html]\n"
    "        allowed_hosts: [www.zhanhe.gov.cn]\n"
)
WHERE = "辖区 pds-zhanhe（平顶山市湛河区），单位 zhanhe-yingji（湛河区应急管理局）"


@pytest.mark.parametrize(
    ("content", "needles"),
    [
        pytest.param("jurisdictions: [", ["不是有效的 YAML", "第 2 行"], id="not-yaml"),
        pytest.param(
            "jurisdictions:\n  - code: x\n", ["辖区 x（未填名称），键 name：缺少必填的键"], id="missing-key"
        ),
        pytest.param(
            HEAD + "        entry_url: [https://www.zhanhe.gov.cn/channels/zfxxgknb.html]\n"
            "        allowed_hosts: [www.zhanhe.gov.cn]\n",
            [WHERE + "，键 entry_url：不认识的键（是否应为 entry_urls？）"],
            id="entry_url-for-entry_urls",
        ),
        pytest.param(
            HEAD + "        kind: ministry\n", [WHERE + "，键 kind：'ministry' 不是可选的值"], id="kind"
        ),
        pytest.param(
            HEAD
            + "        entry_urls: [www.zhanhe.gov.cn/channels/zfxxgknb.html]\n        allowed_hosts: [www.zhanhe.gov.cn]\n",
            [WHERE + "，键 entry_urls：'www.zhanhe.gov.cn/channels/zfxxgknb.html' 不是有效的网址"],
            id="url-without-scheme",
        ),
        pytest.param(
            HEAD + "        entry_urls: [https://www.zhanhe.gov.cn/a.html]\n        allowed_hosts: []\n",
            [WHERE + "：填写了 entry_urls，但 allowed_hosts 为空"],
            id="empty-allowed-hosts",
        ),
        pytest.param(
            HEAD
            + "        entry_urls: [https://www.zhanhe.gov.cn/a.html]\n        allowed_hosts: [zhanhe.example.com]\n",
            [WHERE + "：栏目地址的主机 www.zhanhe.gov.cn 不在 allowed_hosts 中"],
            id="column-host-not-allowed",
        ),
        pytest.param(
            HEAD
            + "        entry_urls: [https://www.zhanhe.gov.cn/a.html]\n        allowed_hosts: [https://www.zhanhe.gov.cn/]\n",
            [WHERE + "，键 allowed_hosts：'https://www.zhanhe.gov.cn/' 不是主机名"],
            id="host-with-scheme",
        ),
        pytest.param(
            HEAD + GOOD_COLUMN + '        deadline_overrides: {"2024": "31/01/2025"}\n',
            [WHERE + "，键 deadline_overrides.2024：日期 '31/01/2025' 格式不对，应写成 YYYY-MM-DD"],
            id="date-day-first",
        ),
        pytest.param(
            HEAD + GOOD_COLUMN + '        deadline_overrides: {"2024": "2025-1-28"}\n',
            [WHERE + "，键 deadline_overrides.2024：日期 '2025-1-28' 格式不对"],
            id="date-without-zero",
        ),
        pytest.param(
            HEAD + GOOD_COLUMN + "        adapter: wordpress\n",
            [WHERE + "，键 adapter：没有名为 'wordpress' 的栏目适配器（可选：auto、"],
            id="unknown-adapter",
        ),
        pytest.param(
            "settings:\n  due_soon_dayz: 10\n",
            ["settings，键 due_soon_dayz：不认识的键（是否应为 due_soon_days？）"],
            id="settings-typo",
        ),
        pytest.param(
            "jurisdictions:\n  - {code: x, name: 甲区, level: town}\n",
            ["辖区 x（甲区），键 level：'town' 不是可选的值（可选：'county'、'city'、'province'）"],
            id="level",
        ),
        pytest.param(
            "hosts:\n  www.zhanhe.gov.cn: {delay: -1, concurrency: 0}\n",
            [
                "hosts 中的主机 www.zhanhe.gov.cn，键 delay：-1 太小（应不小于 0）",
                "hosts 中的主机 www.zhanhe.gov.cn，键 concurrency：0 太小（应不小于 1）",
            ],
            id="host-bounds",
        ),
        pytest.param(
            "hosts:\n  www.zhanhe.gov.cn: {delay: 一秒}\n",
            ["hosts 中的主机 www.zhanhe.gov.cn，键 delay：'一秒' 应为数字（秒）"],
            id="host-delay-not-a-number",
        ),
        pytest.param(
            "hosts:\n  www.zhanhe.gov.cn: {delay: 120}\n",
            ["hosts 中的主机 www.zhanhe.gov.cn，键 delay：120 太大（应不大于 60）"],
            id="host-delay-too-long",
        ),
        pytest.param(
            "hosts:\n  www.zhanhe.gov.cn: {dealy: 2}\n",
            ["hosts 中的主机 www.zhanhe.gov.cn，键 dealy：不认识的键（是否应为 delay？）"],
            id="host-typo",
        ),
        pytest.param(
            "hosts:\n  https://www.zhanhe.gov.cn/: {delay: 2}\n",
            ["hosts：'https://www.zhanhe.gov.cn/' 不是主机名（只写主机"],
            id="host-as-url",
        ),
        pytest.param(
            "hosts:\n  www.zhanhe.gov.cn: 2\n",
            ["hosts 中的主机 www.zhanhe.gov.cn：应为键值对"],
            id="host-without-keys",
        ),
        pytest.param(
            "hosts:\n  www.zhanhe.gov.cn: {delay: 2}\n  WWW.Zhanhe.gov.cn.: {delay: 3}\n",
            ["主机 www.zhanhe.gov.cn 写了两次"],
            id="host-twice",
        ),
        pytest.param(
            "jurisdictions:\n  - {code: x, name: 甲区}\n  - {code: x, name: 乙区}\n",
            ["辖区代码 x 用了两次（甲区 和 乙区）"],
            id="duplicate-jurisdiction",
        ),
        pytest.param(
            "jurisdictions:\n  - code: x\n    name: X\n    agencies:\n      - {code: a, name: A}\n      - {code: a, name: B}\n",
            ["单位代码 a 用了两次（x 的 A 和 x 的 B）"],
            id="duplicate-agency",
        ),
    ],
)
def test_each_registry_mistake_is_refused_naming_file_place_and_key(
    tmp_path: Path, content: str, needles: list[str]
) -> None:
    path = tmp_path / "agencies.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RegistryError) as caught:
        load_registry(path)
    message = str(caught.value)
    assert str(path) in message
    for needle in needles:
        assert needle in message, message


def test_the_fetch_keys_and_levels_reach_the_database(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "agencies.yaml"
    path.write_text(
        "jurisdictions:\n  - code: pds-zhanhe\n    name: 平顶山市湛河区\n    level: county\n    agencies:\n"
        + AGENCY
        + GOOD_COLUMN
        + "        adapter: pds\n        http_fallback: true\n        own: true\n"
        + "        deadline_overrides: {2024: 2025-01-28}\n",
        encoding="utf-8",
    )
    with session_scope(db_url) as s:
        sync_registry(s, load_registry(path))
    with session_scope(db_url) as s:
        agency = s.exec(select(Agency)).one()
        jur = s.exec(select(Jurisdiction)).one()
        assert (agency.adapter, agency.http_fallback) == ("pds", True)
        assert agency.own_entries == ["https://www.zhanhe.gov.cn/channels/zfxxgknb.html"]
        assert agency.deadline_overrides == {"2024": "2025-01-28"}
        assert jur.level == "county"


def test_hosts_block_gives_hosts_their_own_delay_and_concurrency(tmp_path: Path) -> None:
    path = tmp_path / "agencies.yaml"
    path.write_text(
        "hosts:\n  WWW.Zhanhe.gov.cn: {delay: 2.5, concurrency: 2}\n  127.0.0.2:8080: {delay: 0.2}\n",
        encoding="utf-8",
    )
    hosts = load_registry(path).hosts
    assert {h: (e.delay, e.concurrency) for h, e in hosts.items()} == {
        "www.zhanhe.gov.cn": (2.5, 2),
        "127.0.0.2:8080": (0.2, None),
    }
    assert load_registry(DEFAULT).hosts == {}


def test_missing_registry_file(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="找不到登记表文件"):
        load_registry(tmp_path / "nope.yaml")


def test_registry_settings_are_loaded_once_by_concurrent_tasks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sixteen agency tasks starting together asked at the same time; each one parsed the whole
    registry (seconds of YAML for thousands of agencies) before the first filled the cache."""
    import threading
    import time

    from nianbao.runtime.settings import get_settings
    from nianbao.store import registry as registry_module

    path = tmp_path / "agencies.yaml"
    path.write_text(DEFAULT.read_text(encoding="utf-8").replace("due_soon_days: 14", "due_soon_days: 9"))
    monkeypatch.setenv("NIANBAO_REGISTRY_PATH", str(path))
    get_settings.cache_clear()
    monkeypatch.setattr(registry_module, "_registry_cache", {})
    loads = []

    def slow_load(p: Path) -> registry_module.Registry:
        loads.append(p)
        time.sleep(0.2)  # a big registry: long enough for every thread to miss the cache
        return load_registry(p)

    monkeypatch.setattr(registry_module, "load_registry", slow_load)
    barrier = threading.Barrier(16)
    results = []

    def ask() -> None:
        barrier.wait()
        results.append(registry_module.registry_settings())

    threads = [threading.Thread(target=ask) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    get_settings.cache_clear()
    assert len(loads) == 1
    assert [r.due_soon_days for r in results] == [9] * 16


def test_duplicate_codes_are_named(tmp_path: Path) -> None:
    path = tmp_path / "agencies.yaml"
    path.write_text(
        "jurisdictions:\n"
        "  - {code: a, name: 甲区, agencies: [{code: x, name: 甲区教育局, entry_urls: [http://a.gov.cn/],"
        " allowed_hosts: [a.gov.cn]}, {code: y, name: 甲区民政局, entry_urls: [http://a.gov.cn/], allowed_hosts: [a.gov.cn]}]}\n"
        "  - {code: b, name: 乙区, agencies: [{code: x, name: 乙区教育局, entry_urls: [http://b.gov.cn/], allowed_hosts: [b.gov.cn]}]}\n",
        encoding="utf-8",
    )
    with pytest.raises(RegistryError, match="单位代码 x 用了两次（a 的 甲区教育局 和 b 的 乙区教育局）"):
        load_registry(path)


def test_registry_settings_come_from_the_disk_cache_until_the_file_changes(
    tmp_path: Path, monkeypatch
) -> None:
    """A new process (a flow run, `nianbao report`) reads the settings block from the small
    cache file, not the whole registry; an edited registry is read again."""
    from nianbao.runtime.settings import get_settings
    from nianbao.store import registry as registry_module

    path = tmp_path / "agencies.yaml"
    path.write_text(DEFAULT.read_text(encoding="utf-8").replace("due_soon_days: 14", "due_soon_days: 9"))
    monkeypatch.setenv("NIANBAO_REGISTRY_PATH", str(path))
    monkeypatch.setenv("NIANBAO_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    monkeypatch.setattr(registry_module, "_registry_cache", {})
    loads: list[Path] = []
    real = registry_module.load_registry

    def counted(p: Path) -> registry_module.Registry:
        loads.append(p)
        return real(p)

    monkeypatch.setattr(registry_module, "load_registry", counted)
    try:
        assert registry_module.registry_settings().due_soon_days == 9 and len(loads) == 1
        monkeypatch.setattr(registry_module, "_registry_cache", {})  # as in a new process
        assert registry_module.registry_settings().due_soon_days == 9 and len(loads) == 1
        path.write_text(path.read_text(encoding="utf-8").replace("due_soon_days: 9", "due_soon_days: 21"))
        monkeypatch.setattr(registry_module, "_registry_cache", {})
        assert registry_module.registry_settings().due_soon_days == 21 and len(loads) == 2
    finally:
        get_settings.cache_clear()
