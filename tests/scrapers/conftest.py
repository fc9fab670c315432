"""Fixtures: the sample portal and a fast fetcher (no politeness delay, quick retries)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from replicas.sample_portal import SamplePortal, start_sample_portal
from scrapers.fetcher import Fetcher
from tests.fetching import quick_fetcher


@pytest.fixture(scope="module")
def portal() -> Iterator[SamplePortal]:
    with start_sample_portal() as p:
        yield p


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with quick_fetcher(retries=1, backoff=0.01, timeout=5, connect_timeout=2) as f:
        yield f
