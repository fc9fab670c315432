"""Every `nianbao` command limits glibc malloc arenas for itself and the flow runs it starts."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from nianbao.cli import app
from nianbao.runtime.memory import ARENAS, limit_malloc_arenas


def test_default_and_an_explicit_value_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert limit_malloc_arenas() is True  # glibc here: mallopt accepted it
    assert os.environ["MALLOC_ARENA_MAX"] == ARENAS
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas() is True and os.environ["MALLOC_ARENA_MAX"] == "4"


def test_a_command_passes_the_limit_to_the_processes_it_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    result = CliRunner().invoke(app, ["rules"])
    assert result.exit_code == 0, result.output
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.environ.get('MALLOC_ARENA_MAX'))"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert child.stdout.strip() == ARENAS
