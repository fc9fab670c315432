"""Pick the adapter for a list page: the first specific one that recognises it, else generic."""

from __future__ import annotations

from scrapers.adapters.generic import GenericAdapter
from scrapers.adapters.gkmlpt import GkmlptAdapter
from scrapers.adapters.hanweb import HanwebAdapter
from scrapers.adapters.henan import HenanAdapter
from scrapers.adapters.kaifeng import KaifengAdapter
from scrapers.adapters.pds import PdsAdapter
from scrapers.adapters.trs import TrsAdapter

# most specific first: API-driven families before the static-HTML ones
ADAPTERS: list[type[GenericAdapter]] = [
    HanwebAdapter,
    KaifengAdapter,
    GkmlptAdapter,
    PdsAdapter,
    TrsAdapter,
    HenanAdapter,
]


def select_adapter(html: str, url: str) -> GenericAdapter:
    for cls in ADAPTERS:
        if cls.detect(html, url):
            return cls()
    return GenericAdapter()


def adapter_names() -> list[str]:
    return [cls.name for cls in [*ADAPTERS, GenericAdapter]]


def adapter_by_name(name: str) -> GenericAdapter:
    for cls in [*ADAPTERS, GenericAdapter]:
        if cls.name == name:
            return cls()
    raise KeyError(name)
