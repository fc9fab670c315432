"""How the engines write JSON columns: text already serialised (by pydantic's serializer, in
Rust) as it is, anything else by `json.dumps` — both as UTF-8, not \\u escapes.

A new report version's cells are the largest value a crawl writes: `model_dump` and then
`json.dumps` took ≈0.5 ms a report, `model_dump_json` ≈0.2 ms (bench/agency_cost.py's reports);
Chinese text as UTF-8 is half the bytes of its escapes in the database.
"""

from __future__ import annotations

import json
from typing import Any


class JsonText(str):
    """A JSON document already serialised: the engine stores it as it is."""


def dump_json(value: Any) -> str:
    """The engines' `json_serializer`."""
    if isinstance(value, JsonText):
        return str(value)
    return json.dumps(value, ensure_ascii=False)
