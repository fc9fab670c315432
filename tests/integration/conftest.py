from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from models.db import migrate, session_scope


def demo_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's settings under `tmp_path / "data"` (loopback allowed, no per-host delay), run
    from `tmp_path`; what they change in the environment is restored after the test."""
    from nianbao.cli.demo import configure_demo_environment

    monkeypatch.chdir(tmp_path)
    for name in (
        "NIANBAO_DATA_DIR",
        "NIANBAO_REGISTRY_PATH",
        "NIANBAO_APPRISE_CONFIG",
        "NIANBAO_PER_HOST_DELAY",
    ):
        monkeypatch.delenv(name, raising=False)  # restored after the test; configure sets them
    configure_demo_environment(tmp_path / "data")


@pytest.fixture
def sample_setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The bundled sample portal, served over HTTP, with its registry synced into SQLite."""
    from nianbao.cli.demo import demo_registry
    from nianbao.runtime.settings import get_settings
    from nianbao.store.registry import load_registry, sync_registry
    from replicas.sample_portal import SAMPLE_AGENCIES, start_sample_portal

    demo_environment(tmp_path, monkeypatch)
    with start_sample_portal(port=0) as portal:
        (tmp_path / "data" / "agencies.yaml").write_text(
            yaml.safe_dump(demo_registry(SAMPLE_AGENCIES, portal.base_url), allow_unicode=True),
            encoding="utf-8",
        )
        settings = get_settings()
        migrate(settings.db_url)
        with session_scope(settings.db_url) as s:
            sync_registry(s, load_registry(settings.registry_path))
        yield settings, SAMPLE_AGENCIES
    from flows.runtime import reset_shared_fetcher

    reset_shared_fetcher()
    get_settings.cache_clear()
