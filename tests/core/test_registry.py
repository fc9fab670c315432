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
