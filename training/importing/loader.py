"""Read, validate and write one import file inside one transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from models.errors import ImportRejected, InvalidInput
from models.storage import orm
from models.storage.bulk import upsert
from models.storage.database import transaction
from models.storage.reference import ReferenceCodes
from models.talent import pseudonym
from training.importing.validation import KEYS, OPTIONAL_COLUMNS, Problem, rules_for, validate

KINDS = tuple(KEYS)
CHUNK = 5_000
Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    kind: str
    path: str
    sha256: str
    rows_total: int
    rows_written: int
    problems: list[Problem] = field(default_factory=list)
    previously_imported: bool = False

    @property
    def rows_invalid(self) -> int:
        return len({line for line, _, _ in self.problems})


def required_columns(kind: str) -> list[str]:
    empty = ReferenceCodes(frozenset(), frozenset(), frozenset(), frozenset(), frozenset())
    return list(dict.fromkeys(rule.column for rule in rules_for(kind, empty)))


def read_table(path: Path) -> tuple[pd.DataFrame, int]:
    """The file as a frame of stripped strings, and the line number of its first data row."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame = pd.read_parquet(path)
        frame = frame.astype(object).where(frame.notna(), "").astype(str)
        first_line = 1
    elif suffix in (".csv", ".txt"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        first_line = 2
    else:
        raise InvalidInput(f"{path}: unsupported file type {suffix!r}; use .csv or .parquet", field="path")
    for column in frame.columns:
        frame[column] = frame[column].astype(str).str.strip()
    # Parquet floats come back as '12.0' for whole numbers; '' stays ''.
    return frame.reset_index(drop=True), first_line


def detect_kind(columns) -> str:
    columns = set(columns)
    matches = [kind for kind in KINDS if set(required_columns(kind)) <= columns]
    if len(matches) != 1:
        raise InvalidInput(
            f"cannot tell the kind of file from its columns; pass --kind (one of {', '.join(KINDS)})",
            field="kind",
        )
    return matches[0]


def import_file(
    factory: sessionmaker[Session],
    path: str | Path,
    *,
    kind: str | None = None,
    skip_invalid: bool = False,
    pseudonym_key: str,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate every row of ``path``; write nothing if any is invalid unless ``skip_invalid``."""
    path = Path(path)
    if not path.exists():
        raise InvalidInput(f"{path}: no such file", field="path")
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    frame, first_line = read_table(path)
    kind = kind or detect_kind(frame.columns)
    if kind not in KINDS:
        raise InvalidInput(f"unknown kind {kind!r}; one of {', '.join(KINDS)}", field="kind")
    missing = [c for c in required_columns(kind) if c not in frame.columns]
    if missing:
        raise ImportRejected(str(path), [(1, c, "column missing") for c in missing])
    for column in OPTIONAL_COLUMNS.get(kind, ()):
        if column not in frame.columns:
            frame[column] = ""

    with transaction(factory) as session:
        codes = ReferenceCodes.read(session)
        problems = validate(frame, kind, codes, first_line)
        if problems and not skip_invalid:
            raise ImportRejected(str(path), problems)
        bad_lines = {line for line, _, _ in problems}
        keep = [i for i in range(len(frame)) if i + first_line not in bad_lines]
        valid = frame.iloc[keep].reset_index(drop=True)
        previously = session.scalar(
            select(orm.ImportRun.id)
            .where(orm.ImportRun.sha256 == sha256, orm.ImportRun.kind == kind)
            .limit(1)
        )
        written = WRITERS[kind](session, valid, pseudonym_key, progress)
        session.add(
            orm.ImportRun(
                kind=kind,
                path=str(path),
                sha256=sha256,
                rows_total=len(frame),
                rows_written=written,
                rows_invalid=len(bad_lines),
            )
        )
    return ImportReport(kind, str(path), sha256, len(frame), written, problems, previously is not None)


# -- writers: the frame is valid; convert strings to typed rows and upsert by natural key ------------
def _int(value: str) -> int | None:
    return int(float(value)) if value != "" else None


def _float(value: str) -> float | None:
    return float(value) if value != "" else None


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _chunks(frame: pd.DataFrame, progress: Progress | None):
    total = len(frame)
    for start in range(0, total, CHUNK):
        yield frame.iloc[start : start + CHUNK]
        if progress:
            progress(min(start + CHUNK, total), total)


def write_observations(session: Session, frame: pd.DataFrame, _key: str, progress: Progress | None) -> int:
    source = "import"
    for chunk in _chunks(frame, progress):
        rows = [
            dict(
                zone_code=r.zone_code,
                segment_code=r.segment_code,
                occupation_code=r.occupation_code,
                month=date(int(r.month[:4]), int(r.month[5:7]), 1),
                postings=_int(r.postings),
                job_seekers=_int(r.job_seekers),
                hires=_int(r.hires),
                median_wage_cny=_float(r.median_wage_cny),
                mean_days_to_fill=_float(r.mean_days_to_fill),
                source=source,
            )
            for r in chunk.itertuples(index=False)
        ]
        upsert(session, orm.Observation.__table__, rows, list(KEYS["observations"]))
    return len(frame)


def write_profiles(session: Session, frame: pd.DataFrame, key: str, progress: Progress | None) -> int:
    now = datetime.now(UTC)
    for chunk in _chunks(frame, progress):
        rows = [
            dict(
                external_ref=r.external_ref,
                pseudonym=pseudonym(r.external_ref, key),
                summary=r.summary,
                titles=_list(r.titles),
                skills=_list(r.skills),
                education_level=r.education_level,
                field_of_study=r.field_of_study,
                years_experience=int(float(r.years_experience)),
                talent_level=r.talent_level,
                zone_code=r.zone_code,
                occupation_code=r.occupation_code or None,
                age_band=r.age_band,
                publications=_int(r.publications) or 0,
                patents=_int(r.patents) or 0,
                languages=_list(r.languages),
                updated_at=datetime.fromisoformat(r.updated_at).replace(tzinfo=UTC) if r.updated_at else now,
            )
            for r in chunk.itertuples(index=False)
        ]
        upsert(session, orm.TalentProfile.__table__, rows, ["external_ref"])
        refs = list(chunk["external_ref"])
        ids = dict(
            session.execute(
                select(orm.TalentProfile.external_ref, orm.TalentProfile.id).where(
                    orm.TalentProfile.external_ref.in_(refs)
                )
            ).all()
        )
        session.execute(delete(orm.TalentPII).where(orm.TalentPII.profile_id.in_(ids.values())))
        session.execute(delete(orm.ConsentScope).where(orm.ConsentScope.profile_id.in_(ids.values())))
        pii = [
            dict(
                profile_id=ids[r.external_ref],
                name=r.name,
                phone=r.phone,
                id_number=r.id_number,
                email=r.email,
            )
            for r in chunk.itertuples(index=False)
        ]
        consents = [
            dict(profile_id=ids[r.external_ref], scope=scope, granted_at=now)
            for r in chunk.itertuples(index=False)
            for scope in dict.fromkeys(_list(r.consent_scopes))
        ]
        upsert(session, orm.TalentPII.__table__, pii, ["profile_id"])
        upsert(session, orm.ConsentScope.__table__, consents, ["profile_id", "scope"])
    return len(frame)


def write_projects(session: Session, frame: pd.DataFrame, _key: str, progress: Progress | None) -> int:
    enterprises = frame.drop_duplicates("enterprise_code")[["enterprise_code", "enterprise_name"]]
    upsert(
        session,
        orm.Enterprise.__table__,
        [dict(code=c, name=n) for c, n in enterprises.itertuples(index=False)],
        ["code"],
    )
    ids = dict(session.execute(select(orm.Enterprise.code, orm.Enterprise.id)).all())
    for chunk in _chunks(frame, progress):
        rows = [
            dict(
                enterprise_id=ids[r.enterprise_code],
                external_ref=r.external_ref,
                title=r.title,
                description=r.description,
                kind=r.kind,
                segment_code=r.segment_code,
                zone_code=r.zone_code,
                required_occupations=_list(r.required_occupations),
                required_skills=_list(r.required_skills),
                talent_level=r.talent_level,
                min_education=r.min_education,
                min_experience_years=int(float(r.min_experience_years)),
                funding_cny=_float(r.funding_cny),
                status="open",
            )
            for r in chunk.itertuples(index=False)
        ]
        upsert(session, orm.Project.__table__, rows, ["enterprise_id", "external_ref"])
    return len(frame)


WRITERS = {"observations": write_observations, "profiles": write_profiles, "projects": write_projects}
