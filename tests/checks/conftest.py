"""Fixtures for the checks' tests: a fresh consistent report per test."""

from __future__ import annotations

import pytest

from reports.checks.base import CheckContext
from reports.model import ParsedReport
from tests.checks.factory import consistent_report


@pytest.fixture
def report() -> ParsedReport:
    return consistent_report()


@pytest.fixture
def ctx() -> CheckContext:
    return CheckContext()
