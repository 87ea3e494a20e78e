"""How a talent profile is shown to a principal: with PII only where the person consented to that tenant.

The rule lives here and nowhere else. An enterprise user sees name, phone, ID number and email of a
person whose consent scopes include ``tenant:<that enterprise's code>``; everyone else (other tenants,
bureau analysts, admins) gets the pseudonymous view, which has no PII fields at all. Each PII view that
is produced writes one ``read_pii`` audit event in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import audit
from models.auth import Principal, Role
from models.profiles import scopes_of
from models.storage.orm import TalentPII, TalentProfile
from models.talent import may_see_pii


@dataclass(frozen=True)
class Contact:
    """The PII of a person."""

    name: str
    phone: str
    id_number: str
    email: str


@dataclass(frozen=True)
class CandidateView:
    """A profile as one principal may see it; ``contact`` is ``None`` in the pseudonymous view."""

    profile_id: int
    pseudonym: str
    summary: str
    titles: list[str]
    skills: list[str]
    education_level: str
    field_of_study: str
    years_experience: int
    talent_level: str
    zone_code: str
    occupation_code: str | None
    age_band: str
    publications: int
    patents: int
    languages: list[str]
    contact: Contact | None = None


def render_candidates(
    session: Session, principal: Principal, profiles: Sequence[TalentProfile]
) -> list[CandidateView]:
    """The views of ``profiles`` for ``principal``, in the same order; PII reads are audited."""
    tenant = principal.tenant if principal.role is Role.enterprise_user else None
    scopes = scopes_of(session, [p.id for p in profiles]) if tenant else {}
    shown = [p.id for p in profiles if tenant and may_see_pii(scopes[p.id], tenant)]
    contacts = {}
    if shown:
        contacts = {
            row.profile_id: row
            for row in session.scalars(select(TalentPII).where(TalentPII.profile_id.in_(shown)))
        }
    views = []
    for profile in profiles:
        contact = None
        if profile.id in shown:
            pii = contacts.get(profile.id) or TalentPII(name="", phone="", id_number="", email="")
            contact = Contact(name=pii.name, phone=pii.phone, id_number=pii.id_number, email=pii.email)
            audit.record(session, principal, audit.READ_PII, "talent_profile", profile.id)
        views.append(_view(profile, contact))
    session.flush()
    return views


def render_candidate(session: Session, principal: Principal, profile: TalentProfile) -> CandidateView:
    return render_candidates(session, principal, [profile])[0]


def _view(p: TalentProfile, contact: Contact | None) -> CandidateView:
    return CandidateView(
        profile_id=p.id,
        pseudonym=p.pseudonym,
        summary=p.summary,
        titles=list(p.titles),
        skills=list(p.skills),
        education_level=p.education_level,
        field_of_study=p.field_of_study,
        years_experience=p.years_experience,
        talent_level=p.talent_level,
        zone_code=p.zone_code,
        occupation_code=p.occupation_code,
        age_band=p.age_band,
        publications=p.publications,
        patents=p.patents,
        languages=list(p.languages),
        contact=contact,
    )
