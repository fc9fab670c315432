"""Which agencies a run covers and which agency a person means: active agencies of a
district, their entry URLs in batches, and an agency by code, id or (short) name, with the
closest names when what was typed names none (the message the UI shows)."""

from __future__ import annotations

import difflib

from sqlmodel import Session, col, select

from models import queries
from models.db import session_scope
from models.tables import Agency, Jurisdiction
from nianbao.runtime.settings import Settings


def active_agency_codes(settings: Settings, jurisdiction: str | None = None) -> list[str]:
    with session_scope(settings.db_url) as s:
        query = select(Agency.code).where(Agency.active == True)
        if jurisdiction:
            jur = s.exec(select(Jurisdiction).where(Jurisdiction.code == jurisdiction)).first()
            if jur is None:
                raise LookupError(f"unknown jurisdiction {jurisdiction!r}")
            query = query.where(Agency.jurisdiction_id == jur.id)
        return list(s.exec(query.order_by(Agency.code)))


ENTRY_URL_BATCH = 500  # codes per IN (...) query, well below any database's parameter limit


def entry_urls(settings: Settings, codes: list[str]) -> dict[str, list[str]]:
    """Agency code -> its entry URLs, for the agencies in `codes` (unknown codes are left out).
    Only those agencies' rows are read: every task of a run asks for its few agencies, and
    reading the whole table each time made a run quadratic in the number of agencies."""
    wanted = sorted(set(codes))
    out: dict[str, list[str]] = {}
    with session_scope(settings.db_url) as s:
        for start in range(0, len(wanted), ENTRY_URL_BATCH):
            batch = wanted[start : start + ENTRY_URL_BATCH]
            rows = s.exec(select(Agency.code, Agency.entry_urls).where(col(Agency.code).in_(batch)))
            out.update((code, list(urls or [])) for code, urls in rows)
    return out


class AgencyNotFound(LookupError):
    """What the office typed names no agency (or several); the message says which it may mean."""


def _label(agency: Agency) -> str:
    return f"{agency.code}（{agency.name}）"


def closest_agencies(agencies: list[Agency], ref: str, n: int = 3) -> list[Agency]:
    """The agencies whose code, name or short name is closest to what was typed (a typo, a
    part of the name): 「zhanhe-yinji」 -> zhanhe-yingji, 「应急局」 -> 湛河区应急管理局."""
    names: dict[str, Agency] = {}
    for a in agencies:
        for key in (a.code, a.name, *(a.short_names or [])):
            names.setdefault(key.lower(), a)
    picked: list[Agency] = []
    for cutoff in (0.8, 0.5):  # a typo matches one agency closely: name only that one
        for key in difflib.get_close_matches(ref.lower(), list(names), n=n * 3, cutoff=cutoff):
            if names[key] not in picked:
                picked.append(names[key])
        if picked:
            return picked[:n]
    for a in agencies:  # a part of a name: 「应急」 is in 「湛河区应急管理局」
        if len(picked) < n and len(ref) >= 2 and a not in picked and (ref in a.name or ref in a.code):
            picked.append(a)
    return picked[:n]


def resolve_agency_and_district(session: Session, ref: str) -> tuple[Agency, Jurisdiction]:
    """`resolve_agency` and the agency's district; a registry code (what runs pass) in one query."""
    ref = ref.strip()
    row = session.exec(queries.AGENCY_AND_DISTRICT_BY_CODE, params={"code": ref}).first()
    if row is not None:
        return row[0], row[1]
    agency = _agency_not_by_code(session, ref)
    return agency, session.get_one(Jurisdiction, agency.jurisdiction_id)


def resolve_agency(session: Session, ref: str) -> Agency:
    """An agency by code, id, full name or short name (what a person types in the UI); an
    `AgencyNotFound` in Chinese with the closest agencies when it names none or several."""
    ref = ref.strip()
    agency = session.exec(queries.AGENCY_BY_CODE, params={"code": ref}).first()
    return agency if agency is not None else _agency_not_by_code(session, ref)


def _agency_not_by_code(session: Session, ref: str) -> Agency:
    """`resolve_agency` for a (stripped) reference that is no registry code."""
    agency = None
    if ref.isdigit():
        agency = session.get(Agency, int(ref))
    if agency is None:
        agency = session.exec(select(Agency).where(Agency.name == ref)).first()
    if agency is None:
        everyone = list(session.exec(select(Agency).order_by(Agency.code)))
        matches = [a for a in everyone if ref in (a.short_names or [])]
        if len(matches) > 1:
            raise AgencyNotFound(
                f"“{ref}”对应多个单位：{'、'.join(_label(a) for a in matches)}，请输入单位代码"
            )
        agency = matches[0] if matches else None
        if agency is None:
            close = closest_agencies(everyone, ref)
            hint = (
                f"，您是不是要找：{'、'.join(_label(a) for a in close)}"
                if close
                else "（可运行 nianbao agencies list 查看全部单位代码）"
            )
            raise AgencyNotFound(f"未找到单位“{ref}”{hint}")
    return agency


def agency_code(settings: Settings, ref: str) -> str:
    """The code of the agency `ref` names (code, id or name); `AgencyNotFound` otherwise."""
    with session_scope(settings.db_url) as s:
        return resolve_agency(s, ref).code


def jurisdiction_name(settings: Settings, code: str) -> str:
    """The district's Chinese name for a run name (the code if the database says nothing)."""
    try:
        with session_scope(settings.db_url) as s:
            jur = s.exec(select(Jurisdiction).where(Jurisdiction.code == code)).first()
            return jur.name if jur else code
    except Exception:  # a run name must never fail a run
        return code


def agency_label(settings: Settings, ref: str) -> str:
    """「district-agency」 in Chinese for a run name (what was typed if it names no agency)."""
    try:
        with session_scope(settings.db_url) as s:
            agency = resolve_agency(s, ref)
            jur = s.get(Jurisdiction, agency.jurisdiction_id)
            return f"{jur.name}-{agency.name}" if jur else agency.name
    except Exception:  # a run name must never fail a run (the flow says why the agency is unknown)
        return ref


def district_names(settings: Settings, codes: list[str]) -> dict[str, str]:
    """Agency code -> its district's name, for the agencies in `codes` (how a run groups them)."""
    out: dict[str, str] = {}
    wanted = sorted(set(codes))
    with session_scope(settings.db_url) as s:
        for start in range(0, len(wanted), ENTRY_URL_BATCH):
            rows = s.exec(
                select(Agency.code, Jurisdiction.name)
                .join(Jurisdiction, col(Jurisdiction.id) == Agency.jurisdiction_id)
                .where(col(Agency.code).in_(wanted[start : start + ENTRY_URL_BATCH]))
            ).all()
            out.update(rows)
    return out
