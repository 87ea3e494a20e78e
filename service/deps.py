"""Dependencies injected into routes: settings, database session, the loaded taxonomy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from models.errors import Unavailable
from models.settings import Settings
from models.taxonomy import Taxonomy


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_taxonomy(request: Request) -> Taxonomy:
    return request.app.state.taxonomy


def get_session(request: Request) -> Iterator[Session]:
    try:
        with request.app.state.session_factory() as session:
            yield session
    except OperationalError as exc:
        raise Unavailable("the database is unreachable; try again shortly") from exc


SettingsDep = Annotated[Settings, Depends(get_settings)]
TaxonomyDep = Annotated[Taxonomy, Depends(get_taxonomy)]
SessionDep = Annotated[Session, Depends(get_session)]
