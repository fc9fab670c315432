"""Shared helpers for parser tests: seed paths and cell dumps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reports.model import ParsedReport

# the committed copies (tests/conftest.py): a checkout outside /work has no ../shared
SEEDS = Path(__file__).resolve().parents[2] / "replicas" / "content" / "seeds"


def seed_text(name: str) -> str:
    return (SEEDS / f"{name}.txt").read_text(encoding="utf-8")


def t2_values(r: ParsedReport) -> dict[str, dict[str, Any]]:
    return {row: {c: cell.value for c, cell in cells.items()} for row, cells in r.proactive.items()}


def t3_values(r: ParsedReport) -> dict[str, list[Any]]:
    return {row: [cell.value for cell in cells.values()] for row, cells in r.requests.items()}


def t4_values(r: ParsedReport) -> dict[str, list[Any]]:
    return {g: [cell.value for cell in cells.values()] for g, cells in r.review_litigation.items()}


def all_values(r: ParsedReport) -> tuple[Any, Any, Any]:
    return t2_values(r), t3_values(r), t4_values(r)
