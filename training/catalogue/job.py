"""The yearly catalogue job, as explicit steps: draft → reviewed → published, resumable after any crash.

Steps of ``CatalogueJob.publish`` (``STEPS``), each idempotent:

1. ``load``         read the store's history (per occupation × segment) and the consenting pool;
2. ``forecast``     load or train the demand and supply forecasters, forecast the catalogue year;
3. ``assess``       apply the versioned urgency rules, rank per chain → the document and its sha256;
4. ``render``       JSON, CSV, XLSX, HTML and the diff against the previous published edition (bytes);
5. ``write_files``  into ``<root>/editions/<year>/v<N>-<sha12>/`` via a staging directory and ``os.replace``;
6. ``record_draft`` one transaction: the edition (status ``draft``, next version) and its entries;
7. ``review``       automatic checks (schema, names, reasons), then status ``reviewed``;
8. ``publish``      one transaction: this edition ``published``, the year's previous one ``superseded``;
9. ``export``       swap the ``<root>/published/<year>`` link atomically; copy the files to ``--out``.

Files of an edition never change once written, and the database changes only inside single transactions,
so a crash anywhere leaves the previous published edition intact; a rerun recognises its own draft by
content hash and carries on from its status. The same content is never recorded twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models.catalogue import validate
from models.catalogue.build import EditionMeta, build_document, content_sha256, iter_entries
from models.catalogue.diff import diff_documents
from models.catalogue.html import to_html
from models.catalogue.method import method_paragraphs
from models.catalogue.rules import rules as rules_for
from models.catalogue.store import document_from_entries, file_names
from models.catalogue.tabular import to_csv, to_xlsx
from models.errors import Conflict, InvalidInput, NotFound
from models.storage import orm
from models.storage.database import transaction
from models.storage.orm import utcnow
from models.taxonomy import Taxonomy
from training.catalogue.assess import segment_figures
from training.catalogue.forecast import ModelUsed, fit_or_load, horizon_for, year_frame
from training.catalogue.inputs import pool_counts, read_history

STEPS = (
    "load",
    "forecast",
    "assess",
    "render",
    "write_files",
    "record_draft",
    "review",
    "publish",
    "export",
)
ACTIVE = ("draft", "reviewed", "published")
AUTO_REVIEWER = "automatic checks (scheduled job)"


class StepFailed(RuntimeError):
    """Raised by a test's ``after_step`` hook to simulate a crash between two steps."""


def fail_after(step: str) -> Callable[[str], None]:
    """A hook for ``CatalogueJob(after_step=…)`` that crashes the job right after ``step``."""
    if step not in STEPS:
        raise InvalidInput(f"unknown step {step!r}; steps: {list(STEPS)}", field="step")

    def hook(done: str) -> None:
        if done == step:
            raise StepFailed(f"simulated crash after step {step!r}")

    return hook


@dataclass
class Built:
    """A catalogue computed but not yet recorded: the document, its hash and its files."""

    year: int
    doc: dict
    sha256: str
    models: list[ModelUsed]
    data_window: tuple[str, str]
    current: dict = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    diff: dict | None = None
    version: int = 0

    @property
    def code(self) -> str:
        return f"{self.year}-{self.sha256[:8]}"


@dataclass(frozen=True)
class Outcome:
    edition_id: int
    year: int
    version: int
    status: str
    content_sha256: str
    directory: Path
    unchanged: bool  # the same content was already published: nothing was changed


def _json_bytes(obj) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, 0o644)  # mkstemp makes 0600; published files are meant to be read
    os.replace(tmp, path)


@dataclass
class CatalogueJob:
    """The yearly catalogue job over one store. ``root`` holds the edition files (``<home>/catalogue``)."""

    factory: sessionmaker[Session]
    taxonomy: Taxonomy
    root: Path
    artifacts_dir: Path
    seed: int = 0
    rules_version: str = "2026.1"
    forecaster_params: Mapping | None = None
    after_step: Callable[[str], None] | None = None
    progress: Callable[[str], None] = lambda _m: None

    def _done(self, step: str) -> None:
        self.progress(f"step {STEPS.index(step) + 1}/{len(STEPS)} {step}: done")
        if self.after_step is not None:
            self.after_step(step)

    # -- steps 1–4: compute ------------------------------------------------------------------------
    def build(self, year: int) -> Built:
        rules = rules_for(self.rules_version)
        with self.factory() as session:
            history = read_history(session)
            pool = pool_counts(session)
            serving = self._serving_artifacts(session, history.end)
        self._done("load")
        h = horizon_for(year, history.end)
        frames, used = {}, []
        for target, frame in (("postings", history.demand), ("job_seekers", history.supply)):
            model = None
            if h > 0:
                model, info = fit_or_load(
                    target,
                    frame,
                    horizon=h,
                    seed=self.seed,
                    artifacts_dir=self.artifacts_dir,
                    params=self.forecaster_params,
                    serving=serving.get(target),
                    say=self.progress,
                )
                used.append(info)
            frames[target] = year_frame(model, frame, year, h)
        self._done("forecast")
        figures, current = segment_figures(
            history, frames["postings"], frames["job_seekers"], self.taxonomy, rules, seed=self.seed
        )
        window = (f"{history.start:%Y-%m-%d}", f"{history.end:%Y-%m-%d}")
        meta = EditionMeta(
            year=year,
            rules_version=rules.version,
            seed=self.seed,
            data_window=window,
            models={m.target: m.provenance() for m in used},
        )
        doc = build_document(figures, self.taxonomy, rules, meta, pool)
        validate.check(doc)
        built = Built(year, doc, content_sha256(doc), used, window, current)
        self._done("assess")
        return built

    def render(self, built: Built, previous: tuple[str, dict] | None) -> None:
        """All files of the edition, as bytes, plus the diff against ``previous`` (label, document)."""
        names = file_names(built.year)
        label, prev_doc = previous if previous else ("", None)
        built.diff = diff_documents(
            prev_doc, built.doc, current={k: v for k, v in built.current.items()}, previous_label=label
        )
        diff_doc = {"edition": built.code, "content_sha256": built.sha256, **built.diff}
        files = {
            names["json"]: _json_bytes(built.doc),
            names["csv"]: to_csv(built.doc),
            names["xlsx"]: to_xlsx(built.doc, method_paragraphs(built.doc)),
            names["html"]: to_html(
                built.doc, built.diff, edition_code=built.code, content_sha256=built.sha256
            ),
            names["diff"]: _json_bytes(diff_doc),
        }
        manifest = {
            "edition": built.code,
            "year": built.year,
            "content_sha256": built.sha256,
            "rules_version": built.doc["rules_version"],
            "files": {n: hashlib.sha256(b).hexdigest() for n, b in sorted(files.items())},
        }
        files[names["manifest"]] = _json_bytes(manifest)
        built.files = files
        self._done("render")

    # -- step 5: files ---------------------------------------------------------------------------
    def edition_dir(self, built: Built) -> Path:
        """``editions/<year>/v<version>-<sha12>``: a version's files, never rewritten once recorded."""
        return self.root / "editions" / str(built.year) / f"v{built.version}-{built.sha256[:12]}"

    def write_files(self, built: Built, *, recorded: bool) -> Path:
        """Write the edition's directory atomically. A recorded edition's files are never rewritten."""
        target = self.edition_dir(built)
        if recorded and _intact(target):
            self._done("write_files")
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        for name, data in built.files.items():
            (staging / name).write_bytes(data)
        os.chmod(staging, 0o755)  # mkdtemp makes 0700
        if target.exists():  # left by a run that crashed before recording: not published, safe to replace
            shutil.rmtree(target)
        os.replace(staging, target)
        self._done("write_files")
        return target

    # -- steps 6–8: database ---------------------------------------------------------------------
    def _serving_artifacts(self, session: Session, end) -> dict[str, Path]:
        """Serving forecasters of this job's series level and data window, by target (usually none)."""
        out = {}
        rows = session.scalars(
            select(orm.ModelVersion).where(orm.ModelVersion.kind == "forecaster", orm.ModelVersion.serving)
        )
        for mv in rows:
            card = mv.card or {}
            window_end = (card.get("data_window") or {}).get("end", "")
            if (
                card.get("series_level") == "segment|occupation"
                and card.get("target") in ("postings", "job_seekers")
                and window_end == f"{end:%Y-%m-%d}"
                and Path(mv.path).is_dir()
            ):
                out[card["target"]] = Path(mv.path)
        return out

    def record_draft(self, session: Session, built: Built) -> orm.CatalogueEdition:
        version = built.version
        model_ids = {}
        for m in built.models:
            mv = session.scalar(
                select(orm.ModelVersion).where(
                    orm.ModelVersion.kind == "forecaster", orm.ModelVersion.version == m.version
                )
            )
            if mv is None:
                mv = orm.ModelVersion(
                    kind="forecaster", version=m.version, path=str(m.path), card=m.card, serving=False
                )
                session.add(mv)
                session.flush()
            model_ids[m.target] = mv.id
        doc = built.doc
        edition = orm.CatalogueEdition(
            year=built.year,
            version=version,
            status="draft",
            rules_version=doc["rules_version"],
            model_version_id=model_ids.get("postings"),
            data_window_start=_date(built.data_window[0]),
            data_window_end=_date(built.data_window[1]),
            seed=self.seed,
            content_sha256=built.sha256,
            provenance={
                "edition_code": built.code,
                "rules_version": doc["rules_version"],
                "rules": doc["rules"],
                "data_window": doc["provenance"]["data_window"],
                "seed": self.seed,
                "models": {
                    m.target: {**m.provenance(), "model_version_id": model_ids[m.target], "card": m.card}
                    for m in built.models
                },
                "files": json.loads(built.files[file_names(built.year)["manifest"]])["files"],
                "directory": str(self.edition_dir(built).relative_to(self.root)),
                "diff_against": (built.diff or {}).get("previous"),
                "summary": doc["summary"],
                "history": [{"status": "draft", "at": utcnow().isoformat()}],
            },
        )
        for e in iter_entries(doc):
            edition.entries.append(
                orm.CatalogueEntry(
                    industry_code=e["chain"]["code"],
                    segment_code=e["segment"]["code"],
                    occupation_code=e["occupation"]["code"],
                    rank=e["rank"],
                    urgency=e["urgency"]["code"],
                    payload=e,
                )
            )
        session.add(edition)
        session.flush()
        return edition

    def review(self, edition_id: int, reviewer: str = AUTO_REVIEWER) -> orm.CatalogueEdition:
        """Check the edition's files against its record and the schema, then mark it reviewed."""
        with transaction(self.factory) as session:
            edition = self._get(session, edition_id)
            if edition.status != "draft":
                raise Conflict(f"edition {edition_id} is {edition.status}; only a draft can be reviewed")
            directory = self.root / edition.provenance["directory"]
            if not _intact(directory, edition.provenance.get("files")):
                raise Conflict(
                    f"edition {edition_id}: files in {directory} are missing or modified; discard it"
                )
            doc = json.loads((directory / file_names(edition.year)["json"]).read_bytes())
            validate.check(doc)
            if content_sha256(doc) != edition.content_sha256:
                raise Conflict(f"edition {edition_id}: catalogue.json does not match the recorded sha256")
            edition.status = "reviewed"
            _log(edition, "reviewed", by=reviewer)
        self._done("review")
        return edition

    def publish_edition(self, edition_id: int) -> orm.CatalogueEdition:
        """One transaction: this reviewed edition becomes the year's published one."""
        with transaction(self.factory) as session:
            edition = self._get(session, edition_id)
            if edition.status == "published":
                return edition
            if edition.status != "reviewed":
                raise Conflict(f"edition {edition_id} is {edition.status}; review it before publishing")
            for old in session.scalars(
                select(orm.CatalogueEdition).where(
                    orm.CatalogueEdition.year == edition.year, orm.CatalogueEdition.status == "published"
                )
            ):
                old.status = "superseded"
                _log(old, "superseded", by=f"edition {edition.id}")
            edition.status = "published"
            edition.published_at = utcnow()
            _log(edition, "published")
        self._done("publish")
        return edition

    def export(self, edition: orm.CatalogueEdition, out: Path | None) -> Path:
        """Point ``published/<year>`` at the edition (atomic symlink swap) and copy its files to ``out``."""
        directory = self.root / edition.provenance["directory"]
        link = self.root / "published" / str(edition.year)
        link.parent.mkdir(parents=True, exist_ok=True)
        tmp = link.parent / f".{edition.year}.{os.getpid()}.tmp"
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        tmp.symlink_to(os.path.relpath(directory, link.parent), target_is_directory=True)
        os.replace(tmp, link)
        if out is not None:
            for name in sorted(edition.provenance["files"]) + ["manifest.json"]:
                _atomic_write(Path(out) / name, (directory / name).read_bytes())
        self._done("export")
        return directory

    # -- the workflows ---------------------------------------------------------------------------
    def draft(self, year: int) -> Outcome:
        """Steps 1–6: compute the catalogue and record it as a draft (or find the same content recorded)."""
        built = self.build(year)
        edition = self._find(built)
        self.render(built, self._previous(year, built.sha256))
        if edition is not None:
            built.version = edition.version
            self.write_files(built, recorded=True)
            self._done("record_draft")
            return self._outcome(edition, unchanged=edition.status == "published")
        built.version = self._next_version(year)
        self.write_files(built, recorded=False)
        with transaction(self.factory) as session:
            for stale in session.scalars(
                select(orm.CatalogueEdition).where(
                    orm.CatalogueEdition.year == year,
                    orm.CatalogueEdition.status.in_(("draft", "reviewed")),
                    orm.CatalogueEdition.content_sha256 != built.sha256,
                )
            ):
                stale.status = "discarded"
                _log(stale, "discarded", by=f"superseded by a new draft ({built.code})")
            edition = self.record_draft(session, built)
        self._done("record_draft")
        return self._outcome(edition, unchanged=False)

    def _next_version(self, year: int) -> int:
        with self.factory() as session:
            top = session.scalar(
                select(func.max(orm.CatalogueEdition.version)).where(orm.CatalogueEdition.year == year)
            )
        return (top or 0) + 1

    def publish(self, year: int, *, out: Path | None = None, reviewer: str = AUTO_REVIEWER) -> Outcome:
        """Every step, resuming where an earlier run stopped; same content → same edition, no new row."""
        outcome = self.draft(year)
        if outcome.status == "draft":
            self.review(outcome.edition_id, reviewer)
        if outcome.status in ("draft", "reviewed"):
            self.publish_edition(outcome.edition_id)
        with self.factory() as session:
            edition = self._get(session, outcome.edition_id)
        self.export(edition, out)
        return self._outcome(edition, unchanged=outcome.unchanged)

    def discard(self, edition_id: int) -> orm.CatalogueEdition:
        """Mark a draft or reviewed edition discarded and delete its files; published ones stay."""
        with transaction(self.factory) as session:
            edition = self._get(session, edition_id)
            if edition.status not in ("draft", "reviewed"):
                raise Conflict(
                    f"edition {edition_id} is {edition.status}; only drafts and reviewed ones can "
                    "be discarded"
                )
            edition.status = "discarded"
            _log(edition, "discarded")
            directory = self.root / edition.provenance["directory"]
        shutil.rmtree(directory, ignore_errors=True)
        return edition

    # -- look-ups --------------------------------------------------------------------------------
    def _get(self, session: Session, edition_id: int) -> orm.CatalogueEdition:
        edition = session.get(orm.CatalogueEdition, edition_id)
        if edition is None:
            raise NotFound(f"no catalogue edition {edition_id}", field="edition")
        return edition

    def _find(self, built: Built) -> orm.CatalogueEdition | None:
        with self.factory() as session:
            return session.scalar(
                select(orm.CatalogueEdition)
                .where(
                    orm.CatalogueEdition.year == built.year,
                    orm.CatalogueEdition.content_sha256 == built.sha256,
                    orm.CatalogueEdition.status.in_(ACTIVE),
                )
                .order_by(orm.CatalogueEdition.version.desc())
            )

    def _previous(self, year: int, sha: str) -> tuple[str, dict] | None:
        """The edition to diff against: this year's published one, else the latest earlier year's."""
        with self.factory() as session:
            prev = session.scalar(
                select(orm.CatalogueEdition)
                .where(
                    orm.CatalogueEdition.status == "published",
                    orm.CatalogueEdition.year <= year,
                    orm.CatalogueEdition.content_sha256 != sha,
                )
                .order_by(orm.CatalogueEdition.year.desc(), orm.CatalogueEdition.version.desc())
            )
            if prev is None:
                return None
            label = f"{prev.year}-{prev.content_sha256[:8]}"
            return label, document_from_entries(list(prev.entries))

    def _outcome(self, edition: orm.CatalogueEdition, *, unchanged: bool) -> Outcome:
        return Outcome(
            edition.id,
            edition.year,
            edition.version,
            edition.status,
            edition.content_sha256,
            self.root / edition.provenance["directory"],
            unchanged,
        )


def _intact(directory: Path, files: Mapping[str, str] | None = None) -> bool:
    """True when the directory holds every file with the recorded (or its manifest's) sha256."""
    manifest = directory / "manifest.json"
    if not manifest.is_file():
        return False
    expected = files or json.loads(manifest.read_bytes()).get("files", {})
    return all(
        (directory / n).is_file() and hashlib.sha256((directory / n).read_bytes()).hexdigest() == d
        for n, d in expected.items()
    )


def _log(edition: orm.CatalogueEdition, status: str, *, by: str = "") -> None:
    history = list((edition.provenance or {}).get("history", []))
    history.append({"status": status, "at": utcnow().isoformat(), **({"by": by} if by else {})})
    edition.provenance = {**edition.provenance, "history": history}


def _date(s: str):
    from datetime import date

    return date.fromisoformat(s)
