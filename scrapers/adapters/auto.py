"""Pick the adapter for a list page: the first specific one that recognises it, else generic."""

from __future__ import annotations

import importlib
import pkgutil

import scrapers.adapters as _package
from scrapers.adapters.base import FAMILIES
from scrapers.adapters.generic import GenericAdapter


def _families() -> list[type[GenericAdapter]]:
    """Every module of the package imported once (each registers its family with `@family`),
    the registered classes by priority, highest first."""
    for info in pkgutil.iter_modules(_package.__path__):
        importlib.import_module(f"{_package.__name__}.{info.name}")
    return sorted(FAMILIES, key=lambda cls: -FAMILIES[cls])


# most specific first: API-driven families before the static-HTML ones
ADAPTERS: list[type[GenericAdapter]] = _families()
ALL_ADAPTERS: list[type[GenericAdapter]] = [*ADAPTERS, GenericAdapter]


def select_adapter(html: str, url: str) -> GenericAdapter:
    for cls in ADAPTERS:
        if cls.detect(html, url):
            return cls()
    return GenericAdapter()


def adapter_names() -> list[str]:
    return [cls.name for cls in ALL_ADAPTERS]


def adapter_by_name(name: str) -> GenericAdapter:
    for cls in ALL_ADAPTERS:
        if cls.name == name:
            return cls()
    raise KeyError(name)
