"""Henan provincial platform columns: `/{YYYY}/{MM-DD}/{id}.html` articles, index_N paging."""

from __future__ import annotations

import re

from scrapers.adapters.base import family
from scrapers.adapters.generic import GenericAdapter

_HENAN = re.compile(r"""href=["']?(?:https?://[^/"']+)?/(?:19|20)\d{2}/\d{2}-\d{2}/\d+\.html""")


@family(10)
class HenanAdapter(GenericAdapter):
    name = "henan"

    @classmethod
    def detect(cls, html: str, url: str) -> bool:
        return bool(_HENAN.search(html)) or 'name="SiteIDCode"' in html
