"""The agency registry: a YAML file the oversight office edits, loaded into the database."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, ValidationError
from sqlmodel import Session, select

from models.tables import Agency, Jurisdiction

# libyaml's loader when PyYAML was built with it: a registry of thousands of agencies loads ~10x faster
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

AgencyKind = Literal["department", "town", "street", "government", "aggregate"]


class RegistryError(ValueError):
    """The registry file cannot be used; the message says where and why."""


class AgencyEntry(BaseModel):
    code: str
    name: str
    short_names: list[str] = Field(default_factory=list)
    kind: AgencyKind = "department"
    entry_urls: list[str] = Field(default_factory=list)
    allowed_hosts: list[str] = Field(default_factory=list)
    deadline_overrides: dict[str, str] = Field(default_factory=dict)
    active: bool = True
    # The agency's entry URLs are its own column: an untitled report there is its own. Without
    # it, an entry URL that no other agency of the registry lists counts as its own all the same.
    own: bool = False


class JurisdictionEntry(BaseModel):
    code: str
    name: str
    parent: str | None = None
    # province | city (设区的市) | county; unset: as the name tells (「…区」「…县」: county).
    level: Literal["province", "city", "county"] | None = None
    deadline_overrides: dict[str, dict[str, str]] = Field(default_factory=dict)
    agencies: list[AgencyEntry] = Field(default_factory=list)


class RegistrySettings(BaseModel):
    deadline_inclusive: bool = True
    due_soon_days: int = 14
    grace_days: int = 0
    health_alert_after: int = 3


class Registry(BaseModel):
    settings: RegistrySettings = Field(default_factory=RegistrySettings)
    jurisdictions: list[JurisdictionEntry] = Field(default_factory=list)


def load_registry(path: Path) -> Registry:
    try:
        raw = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_SafeLoader)
    except FileNotFoundError as exc:
        raise RegistryError(f"registry file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise RegistryError(f"registry file {path} is not valid YAML: {exc}") from exc
    try:
        registry = Registry.model_validate(raw or {})
    except ValidationError as exc:
        raise RegistryError(f"registry file {path} is invalid:\n{exc}") from exc
    counts = Counter(a.code for j in registry.jurisdictions for a in j.agencies)
    dupes = sorted(code for code, n in counts.items() if n > 1)
    if dupes:
        raise RegistryError(f"registry file {path}: duplicate agency codes {dupes}")
    return registry


def own_entries(registry: Registry) -> dict[str, list[str]]:
    """Agency code -> the entry URLs that are its own column: all of them when the registry says
    `own: true`, else those no other active agency of the registry lists (a district's shared
    column is nobody's own)."""
    listed = Counter(
        url for j in registry.jurisdictions for a in j.agencies if a.active for url in set(a.entry_urls)
    )
    return {
        a.code: list(a.entry_urls) if a.own else [u for u in a.entry_urls if listed[u] == 1]
        for j in registry.jurisdictions
        for a in j.agencies
    }


def sync_registry(session: Session, registry: Registry) -> dict[str, int]:
    """Insert or update jurisdictions and agencies; agencies dropped from the file are deactivated."""
    counts = {"jurisdictions": 0, "agencies_added": 0, "agencies_updated": 0, "agencies_deactivated": 0}
    seen: set[str] = set()
    owned = own_entries(registry)
    for j in registry.jurisdictions:
        jur = session.exec(select(Jurisdiction).where(Jurisdiction.code == j.code)).first()
        if jur is None:
            jur = Jurisdiction(code=j.code, name=j.name)
        jur.name, jur.parent, jur.deadline_overrides = j.name, j.parent, j.deadline_overrides
        jur.level = j.level
        session.add(jur)
        session.flush()
        counts["jurisdictions"] += 1
        for a in j.agencies:
            seen.add(a.code)
            agency = session.exec(select(Agency).where(Agency.code == a.code)).first()
            values = a.model_dump(exclude={"own"}) | {"jurisdiction_id": jur.id, "own_entries": owned[a.code]}
            if agency is None:
                session.add(Agency(**values))
                counts["agencies_added"] += 1
                continue
            changed = any(getattr(agency, k) != v for k, v in values.items())
            for k, v in values.items():
                setattr(agency, k, v)
            counts["agencies_updated"] += int(changed)
            session.add(agency)
    for agency in session.exec(select(Agency).where(Agency.active == True)):
        if agency.code not in seen:
            agency.active = False
            session.add(agency)
            counts["agencies_deactivated"] += 1
    return counts
