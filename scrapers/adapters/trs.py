"""TRS WCM columns: `createPageHTML(...)` paging and `./YYYYMM/tYYYYMMDD_id.shtml` articles."""

from __future__ import annotations

import re

from scrapers.adapters.base import family
from scrapers.adapters.generic import GenericAdapter

_TRS = re.compile(r"createPageHTML\(|/t(?:19|20)\d{6}_\d+\.s?html?|TRS_Editor|TRS_UEDITOR")


@family(20)
class TrsAdapter(GenericAdapter):
    name = "trs"

    @classmethod
    def detect(cls, html: str, url: str) -> bool:
        return bool(_TRS.search(html))
