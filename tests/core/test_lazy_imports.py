"""`nianbao --help` and `nianbao check` start without what they do not use: the database layer,
the settings' pydantic machinery, apprise, the parsers of every format (measured with
`python -X importtime`, docs/benchmarks.md). Each case runs in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import json, sys
from typer.testing import CliRunner
from nianbao.cli import app
result = CliRunner().invoke(app, sys.argv[1:])
print(json.dumps({"code": result.exit_code, "modules": sorted(sys.modules)}))
"""


def _modules_after(*args: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    answer = json.loads(out.stdout.strip().splitlines()[-1])
    assert answer["code"] == 0
    return set(answer["modules"])


def _loaded(modules: set[str], package: str) -> bool:
    return any(m == package or m.startswith(package + ".") for m in modules)


@pytest.mark.parametrize(
    "package", ["sqlalchemy", "sqlmodel", "pydantic_settings", "apprise", "httpx", "prefect"]
)
def test_help_loads_none_of_the_heavy_packages(package: str) -> None:
    assert not _loaded(_modules_after("--help"), package)


def test_check_of_a_file_loads_neither_the_database_nor_apprise(tmp_path) -> None:
    from tests.conftest import seed_path

    modules = _modules_after("check", str(seed_path("jianxi-gongxin-2024.txt")))
    assert _loaded(modules, "reports.parse")  # it did parse
    for package in ("sqlalchemy", "apprise", "prefect", "nianbao.reporting.compliance"):
        assert not _loaded(modules, package), package


def test_the_lazy_package_names_still_resolve() -> None:
    import alerts
    import reports.parse

    assert callable(alerts.enqueue) and callable(alerts.deliver_pending)
    assert callable(reports.parse.parse_document) and callable(reports.parse.parse_text)
    with pytest.raises(AttributeError):
        alerts.no_such_name  # noqa: B018


def test_report_on_a_current_database_loads_neither_alembic_nor_the_checks_nor_a_plotting_library(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`nianbao report` reads the matrix and writes two files: the migrations (the database is
    current), the report checks, openpyxl (a reader) and matplotlib have no part in it."""
    monkeypatch.setenv("NIANBAO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("NIANBAO_REGISTRY_PATH", str(tmp_path / "agencies.yaml"))
    monkeypatch.delenv("NIANBAO_DATABASE_URL", raising=False)
    (tmp_path / "agencies.yaml").write_text("jurisdictions: []\n", encoding="utf-8")
    first = _modules_after("report", "--year", "2024")  # migrates the new database
    assert _loaded(first, "alembic") and _loaded(first, "xlsxwriter")
    again = _modules_after("report", "--year", "2024")
    assert (tmp_path / "reports" / "compliance-2024.xlsx").exists()
    for package in ("alembic", "reports.checks", "openpyxl", "matplotlib"):
        assert not _loaded(again, package), package
