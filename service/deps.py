"""Dependencies injected into routes: settings, database sessions, the loaded taxonomy, the caller."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from models.auth import Principal, PrincipalCache, Role, presented_key_hash, principal_of_key_hash
from models.errors import Conflict, Unavailable
from models.matching.index_store import MatchingIndex
from models.matching.serving import MISSING_MESSAGE, IndexHolder
from models.profiles import ProfileIndex
from models.settings import Settings
from models.taxonomy import Taxonomy
from service.console.sessions import cookie_session

bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer <key>`")
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key, in `X-API-Key`")


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_taxonomy(request: Request) -> Taxonomy:
    return request.app.state.taxonomy


def get_profile_index(request: Request) -> ProfileIndex | None:
    """The matching index that must forget deleted profiles, once one is wired into ``app.state``."""
    return getattr(request.app.state, "profile_index", None)


def matching_index(request: Request) -> Iterator[MatchingIndex]:
    """The loaded matching index, held (read lock) for the request; 503 when none is built yet."""
    holder: IndexHolder | None = getattr(request.app.state, "index_holder", None)
    if holder is None:
        raise Unavailable(MISSING_MESSAGE, field="index")
    with holder.reading() as index:
        yield index


def get_session(request: Request) -> Iterator[Session]:
    try:
        with request.app.state.session_factory() as session:
            yield session
    except OperationalError as exc:
        raise Unavailable("the database is unreachable; try again shortly") from exc


def unit_of_work(request: Request) -> Iterator[Session]:
    """A session committed when the route returns, before the response is sent: a client never sees a
    result (or PII whose read must be audited) that was not written. Any error rolls everything back.
    A uniqueness race lost to a concurrent request (checked first in the domain) answers 409, not 500."""
    try:
        with request.app.state.session_factory() as session:
            yield session
            session.commit()
    except OperationalError as exc:
        raise Unavailable("the database is unreachable; try again shortly") from exc
    except IntegrityError as exc:
        raise Conflict("the change conflicts with data written meanwhile; read it again and retry") from exc


def get_principal_cache(request: Request) -> PrincipalCache:
    return request.app.state.principals


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    api_key: Annotated[str | None, Security(api_key_header)],
) -> Principal:
    """The caller named by the API key (``Authorization: Bearer``, else ``X-API-Key``), else by the
    console's session cookie (whose state changes must carry the CSRF header); 401 otherwise. The key's
    principal comes from this worker's ``PrincipalCache`` (``api_key_cache_seconds``) when it can."""
    secret = credentials.credentials if credentials is not None else api_key
    factory = request.app.state.session_factory

    def lookup(key_hash: str) -> Principal:
        with factory() as session:
            return principal_of_key_hash(session, key_hash)

    try:
        console = cookie_session(request) if secret is None else None
        key_hash = console.key_hash if console is not None else presented_key_hash(secret)
        return get_principal_cache(request).principal(key_hash, lookup)
    except OperationalError as exc:
        raise Unavailable("the database is unreachable; try again shortly") from exc


def role(*roles: Role):
    """A dependency admitting only principals of ``roles`` (403 for the others)."""

    def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        return principal.require(*roles)

    return dependency


SettingsDep = Annotated[Settings, Depends(get_settings)]
TaxonomyDep = Annotated[Taxonomy, Depends(get_taxonomy)]
SessionDep = Annotated[Session, Depends(get_session)]
UnitOfWorkDep = Annotated[Session, Depends(unit_of_work, scope="function")]
ProfileIndexDep = Annotated[ProfileIndex | None, Depends(get_profile_index)]
PrincipalDep = Annotated[Principal, Depends(current_principal)]
PrincipalCacheDep = Annotated[PrincipalCache, Depends(get_principal_cache)]
EnterpriseUser = Annotated[Principal, Depends(role(Role.enterprise_user))]
TalentUser = Annotated[Principal, Depends(role(Role.talent))]
Admin = Annotated[Principal, Depends(role(Role.admin))]
AnalystOrEnterprise = Annotated[Principal, Depends(role(Role.bureau_analyst, Role.enterprise_user))]
IndexDep = Annotated[MatchingIndex, Depends(matching_index, scope="function")]
