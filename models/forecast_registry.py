"""Forecaster versions in the ``model_version`` table: register a run, list versions, promote one to serve.

At most one ``kind='forecaster'`` row serves at a time. Registering never changes which one serves;
promoting is the only way to change it, and it checks the run's files first, so the serving pointer never
names something the service cannot load.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.errors import NotFound
from models.forecast_artifact import check_run
from models.storage.orm import ModelVersion

KIND = "forecaster"


def register(session: Session, version: str, path: Path, card: dict) -> ModelVersion:
    """Record a new version (not serving). The caller commits."""
    row = ModelVersion(kind=KIND, version=version, path=str(path), card=card, serving=False)
    session.add(row)
    session.flush()
    return row


def list_versions(session: Session) -> list[ModelVersion]:
    """Every forecaster version, newest first."""
    query = select(ModelVersion).where(ModelVersion.kind == KIND)
    return list(session.scalars(query.order_by(ModelVersion.created_at.desc(), ModelVersion.id.desc())))


def _find(session: Session, version: str) -> ModelVersion | None:
    return session.scalar(
        select(ModelVersion).where(ModelVersion.kind == KIND, ModelVersion.version == version)
    )


def exists(session: Session, version: str) -> bool:
    return _find(session, version) is not None


def get_version(session: Session, version: str) -> ModelVersion:
    row = _find(session, version)
    if row is None:
        raise NotFound(f"unknown forecaster version {version!r}", field="version")
    return row


def serving(session: Session) -> ModelVersion | None:
    """The serving forecaster version, if any (the newest, should the table ever hold two)."""
    query = select(ModelVersion).where(ModelVersion.kind == KIND, ModelVersion.serving.is_(True))
    return session.scalars(query.order_by(ModelVersion.id.desc()).limit(1)).first()


def serving_pointer(session: Session) -> tuple[str, str] | None:
    """``(version, path)`` of the serving version: the one cheap query a worker polls."""
    row = session.execute(
        select(ModelVersion.version, ModelVersion.path)
        .where(ModelVersion.kind == KIND, ModelVersion.serving.is_(True))
        .order_by(ModelVersion.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def promote(session: Session, version: str) -> ModelVersion:
    """Make ``version`` the only serving forecaster. Raises NotFound, or ArtifactIncompatible when its
    directory is not a complete forecast run. The caller commits (both changes land together)."""
    row = get_version(session, version)
    check_run(Path(row.path))
    session.execute(
        update(ModelVersion)
        .where(ModelVersion.kind == KIND, ModelVersion.id != row.id, ModelVersion.serving.is_(True))
        .values(serving=False)
    )
    row.serving = True
    session.flush()
    return row


def backtest_report(row: ModelVersion) -> dict | None:
    """The version's ``backtest.json``, if its run computed one (read from the artifact directory)."""
    import json

    path = Path(row.path) / "backtest.json"
    return json.loads(path.read_text()) if path.is_file() else None
