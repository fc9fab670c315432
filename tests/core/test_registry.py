"""The YAML registry: loading, clear errors on bad input, idempotent sync."""

from pathlib import Path

import pytest
from sqlmodel import select

from models.db import session_scope
from models.tables import Agency, Jurisdiction
from nianbao.registry import RegistryError, load_registry, sync_registry
from nianbao.settings import PROJECT_ROOT

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


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("jurisdictions: [", "not valid YAML"),
        ("jurisdictions:\n  - code: x\n", "invalid"),
        (
            "jurisdictions:\n  - code: x\n    name: X\n    agencies:\n      - {code: a, name: A, kind: ministry}\n",
            "invalid",
        ),
        (
            "jurisdictions:\n  - code: x\n    name: X\n    agencies:\n      - {code: a, name: A}\n      - {code: a, name: B}\n",
            "duplicate agency codes",
        ),
    ],
)
def test_bad_registry_gives_clear_error(tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "agencies.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RegistryError, match=needle):
        load_registry(path)


def test_missing_registry_file(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="not found"):
        load_registry(tmp_path / "nope.yaml")


def test_registry_settings_are_loaded_once_by_concurrent_tasks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sixteen agency tasks starting together asked at the same time; each one parsed the whole
    registry (seconds of YAML for thousands of agencies) before the first filled the cache."""
    import threading
    import time

    from flows import runtime
    from nianbao import registry as registry_module
    from nianbao.settings import get_settings

    path = tmp_path / "agencies.yaml"
    path.write_text(DEFAULT.read_text(encoding="utf-8").replace("due_soon_days: 14", "due_soon_days: 9"))
    monkeypatch.setenv("NIANBAO_REGISTRY_PATH", str(path))
    get_settings.cache_clear()
    monkeypatch.setattr(runtime, "_registry_cache", {})
    loads = []

    def slow_load(p: Path) -> registry_module.Registry:
        loads.append(p)
        time.sleep(0.2)  # a big registry: long enough for every thread to miss the cache
        return load_registry(p)

    monkeypatch.setattr(runtime, "load_registry", slow_load)
    barrier = threading.Barrier(16)
    results = []

    def ask() -> None:
        barrier.wait()
        results.append(runtime.registry_settings())

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
        "  - {code: a, name: 甲区, agencies: [{code: x, name: 甲区教育局, entry_urls: [http://a.gov.cn/]},"
        " {code: y, name: 甲区民政局, entry_urls: [http://a.gov.cn/]}]}\n"
        "  - {code: b, name: 乙区, agencies: [{code: x, name: 乙区教育局, entry_urls: [http://b.gov.cn/]}]}\n",
        encoding="utf-8",
    )
    with pytest.raises(RegistryError, match=r"duplicate agency codes \['x'\]"):
        load_registry(path)
