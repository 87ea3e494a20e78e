"""Talent: register a profile, then read, correct, consent, withdraw and delete it with its own key."""

from __future__ import annotations

from fastapi import APIRouter, Response

from models import profiles
from service.deps import (
    PrincipalCacheDep,
    ProfileIndexDep,
    SettingsDep,
    TalentUser,
    TaxonomyDep,
    UnitOfWorkDep,
)
from service.schemas.common import problem_responses
from service.schemas.profiles import (
    ConsentIn,
    ConsentPublic,
    ProfileCreate,
    ProfilePublic,
    ProfileRegistered,
    ProfileUpdate,
)

router = APIRouter(
    prefix="/v1/profiles", tags=["talent"], responses=problem_responses(401, 403, 413, 422, 429, 503)
)


@router.post(
    "",
    status_code=201,
    response_model=ProfileRegistered,
    summary="Register a profile (no key needed); the response carries your API key, once",
)
def register(body: ProfileCreate, db: UnitOfWorkDep, taxonomy: TaxonomyDep, settings: SettingsDep):
    done = profiles.register_profile(
        db,
        taxonomy,
        profile=body.model_dump(exclude={"contact", "consent_scopes"}),
        pii=body.contact.model_dump(),
        consent_scopes=body.consent_scopes,
        pseudonym_key=settings.pseudonym_key,
    )
    return ProfileRegistered(
        profile=ProfilePublic.from_domain(done.profile, done.pii, done.scopes), api_key=done.key.secret
    )


@router.get("/me", response_model=ProfilePublic, summary="Your profile, contact details and consent scopes")
def read_me(db: UnitOfWorkDep, principal: TalentUser):
    return ProfilePublic.from_domain(*profiles.read_own_profile(db, principal))


@router.patch("/me", response_model=ProfilePublic, summary="Correct some fields of your profile")
def correct_me(body: ProfileUpdate, db: UnitOfWorkDep, taxonomy: TaxonomyDep, principal: TalentUser):
    changes = body.model_dump(exclude_unset=True, exclude={"contact"})
    contact = body.contact.model_dump(exclude_unset=True) if body.contact is not None else {}
    return ProfilePublic.from_domain(
        *profiles.correct_profile(db, taxonomy, principal, profile=changes, pii=contact)
    )


@router.put(
    "/me/consent", response_model=ConsentPublic, summary="Replace your consent scopes by exactly this list"
)
def set_consent(body: ConsentIn, db: UnitOfWorkDep, principal: TalentUser):
    return ConsentPublic(consent_scopes=profiles.set_consent(db, principal, body.consent_scopes))


@router.delete(
    "/me/consent",
    status_code=204,
    summary="Withdraw all consent: you are no longer matched, and no enterprise sees your contacts",
)
def withdraw_consent(db: UnitOfWorkDep, principal: TalentUser):
    profiles.withdraw_consent(db, principal)
    return Response(status_code=204)


@router.delete(
    "/me",
    status_code=204,
    summary="Delete your profile everywhere: database, shortlists, feedback, the matching index",
)
def delete_me(
    db: UnitOfWorkDep, principal: TalentUser, index: ProfileIndexDep, principals: PrincipalCacheDep
):
    profile_id = profiles.delete_profile(db, principal, index)
    db.commit()  # the profile's keys are gone: no worker may find them live again once forgotten here
    principals.forget(profile_id=profile_id)
    return Response(status_code=204)
