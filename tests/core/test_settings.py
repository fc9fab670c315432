"""Settings from the environment: empty values mean "not set", never the current directory."""

from pathlib import Path

import pytest

from nianbao.runtime.settings import Settings


def test_empty_apprise_config_means_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIANBAO_APPRISE_CONFIG", "")
    monkeypatch.setenv("NIANBAO_RAW_DIR", "")
    s = Settings()
    assert s.apprise_config is None
    assert s.raw_path == s.data_dir / "raw"


def test_delivery_without_config_skips_with_a_reason(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    from flows.runtime import deliver_alerts

    monkeypatch.setenv("NIANBAO_APPRISE_CONFIG", "")
    result = deliver_alerts(Settings(database_url=sqlite_url))
    assert "skipped" in result and "NIANBAO_APPRISE_CONFIG" in result["skipped"]


def test_apprise_config_path_is_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NIANBAO_APPRISE_CONFIG", str(tmp_path / "apprise.yml"))
    assert Settings().apprise_config == tmp_path / "apprise.yml"


def test_a_task_budget_that_is_not_a_number_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    import pydantic

    monkeypatch.setenv("NIANBAO_MAX_TASKS_PER_RUN", "two hundred")
    with pytest.raises(pydantic.ValidationError, match="max_tasks_per_run"):
        Settings()


def test_the_data_directory_is_resolved_once_not_on_every_database_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NIANBAO_DATABASE_URL", "")
    settings = Settings(data_dir=Path("data"))
    expected = tmp_path.resolve() / "data"
    assert settings.data_dir == expected

    def no_filesystem(self: Path, strict: bool = False) -> Path:
        raise AssertionError("db_url resolved a path again")

    monkeypatch.setattr(Path, "resolve", no_filesystem)
    assert settings.db_url == f"sqlite:///{expected / 'nianbao.db'}"


def test_no_test_resolves_a_real_host_name() -> None:
    """The test session answers every real name with 'no such name' (tests/conftest.py)."""
    import socket

    import pytest

    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("www.zhanhe.gov.cn", 80)
    assert socket.getaddrinfo("127.0.0.1", 80)
