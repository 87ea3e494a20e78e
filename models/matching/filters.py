"""Documents the matcher ranks, the hard filters over them, and a columnar table to apply filters fast.

A filter is applied *inside* retrieval: the table turns it into a boolean mask over rows, and every
channel searches only the masked rows (the vector index through an allowed-id set), so a filtered-out
document can never be returned and the result is short only when fewer documents are eligible.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date

import numpy as np

from models.errors import InvalidInput
from models.talent import CONSENT_CATALOGUE, CONSENT_MATCHING, CONSENT_SCOPE, PROJECT_KINDS, kind_scope
from models.taxonomy import EDUCATION_LEVELS

DOC_KINDS = ("profile", "project", "catalogue_entry")
# The storage/import vocabulary of consent scopes (``models.talent``): ``pool:matching``,
# ``pool:catalogue``, ``tenant:<enterprise code>``, ``kind:<project kind>``. These are the fixed ones;
# any ``tenant:<code>`` is valid too (``CONSENT_SCOPE``).
CONSENT_SCOPES = (CONSENT_MATCHING, CONSENT_CATALOGUE, *(kind_scope(k) for k in PROJECT_KINDS))
# Most senior first, as in talent_levels.csv (rank 1 = top_leading).
TALENT_LEVELS = (
    "top_leading",
    "research_leader",
    "innovation_team",
    "high_level",
    "high_skill",
    "professional",
    "young_reserve",
)
MAX_TEXT_CHARS = 4000
MAX_TOP_K = 100


@dataclass(frozen=True)
class Document:
    """A profile, a funded project or an urgent-need catalogue entry, with its filterable fields.

    ``consent`` matters for profiles only: its scopes in the ``models.talent`` vocabulary; a profile is
    a candidate only where one of them admits the search (``Filters.consent_any``).
    ``skills`` are free strings (any language); the taxonomy channel normalises them.
    """

    id: int
    kind: str
    text: str
    title: str = ""
    zone: str | None = None
    industry: str | None = None
    segment: str | None = None
    talent_level: str | None = None
    education: str | None = None
    years_experience: float | None = None
    consent: frozenset[str] = frozenset()
    skills: tuple[str, ...] = ()
    updated: date | None = None

    @property
    def full_text(self) -> str:
        return f"{self.title}\n{self.text}".strip() if self.title else self.text

    def validate(self) -> Document:
        _choice(self.kind, DOC_KINDS, "kind")
        if self.talent_level is not None:
            _choice(self.talent_level, TALENT_LEVELS, "talent_level")
        if self.education is not None:
            _choice(self.education, EDUCATION_LEVELS, "education")
        _scopes(self.consent, "consent")
        if not self.full_text.strip():
            raise InvalidInput(f"document {self.id} has no text", field="text")
        if self.id < 0:
            raise InvalidInput(f"document id must be non-negative, got {self.id}", field="id")
        return self

    def to_json(self) -> dict:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["consent"] = sorted(self.consent)
        out["skills"] = list(self.skills)
        out["updated"] = self.updated.isoformat() if self.updated else None
        return out

    @classmethod
    def from_json(cls, data: dict) -> Document:
        data = dict(data)
        data["consent"] = frozenset(data.get("consent") or ())
        data["skills"] = tuple(data.get("skills") or ())
        data["updated"] = date.fromisoformat(data["updated"]) if data.get("updated") else None
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def _scopes(scopes: Iterable[str], name: str) -> None:
    for scope in scopes:
        if not CONSENT_SCOPE.fullmatch(scope):
            raise InvalidInput(
                f"{name} scope {scope!r} is not one of {list(CONSENT_SCOPES)} or tenant:<enterprise code>",
                field=name,
            )


def _choice(value: str, choices: Sequence[str], name: str) -> None:
    if value not in choices:
        raise InvalidInput(f"{name} {value!r} is not one of {list(choices)}", field=name)


@dataclass(frozen=True)
class Filters:
    """Hard constraints. ``None`` means no constraint; sets mean "any of", except ``consent``: a
    document must hold *all* of ``consent`` and *at least one* of ``consent_any`` (when given). A
    candidate search passes the scopes that admit it (``models.talent.matching_scopes``) as
    ``consent_any``. ``exclude_ids`` are never returned (ids found stale after retrieval)."""

    zones: frozenset[str] | None = None
    industries: frozenset[str] | None = None
    segments: frozenset[str] | None = None
    talent_levels: frozenset[str] | None = None
    min_education: str | None = None
    min_years: float | None = None
    max_years: float | None = None
    consent: frozenset[str] = field(default_factory=frozenset)
    consent_any: frozenset[str] | None = None
    kinds: frozenset[str] | None = None
    exclude_ids: frozenset[int] = field(default_factory=frozenset)

    def validate(self) -> Filters:
        for level in self.talent_levels or ():
            _choice(level, TALENT_LEVELS, "talent_levels")
        if self.min_education is not None:
            _choice(self.min_education, EDUCATION_LEVELS, "min_education")
        _scopes(self.consent, "consent")
        _scopes(self.consent_any or (), "consent_any")
        for kind in self.kinds or ():
            _choice(kind, DOC_KINDS, "kinds")
        if self.min_years is not None and self.max_years is not None and self.min_years > self.max_years:
            raise InvalidInput("min_years is greater than max_years", field="min_years")
        return self

    def allows(self, doc: Document) -> bool:
        """The same rule as ``FieldTable.mask``, one document at a time (the reference for tests)."""

        def within(value, allowed) -> bool:
            return allowed is None or value in allowed

        education_ok = self.min_education is None or (
            doc.education is not None
            and EDUCATION_LEVELS.index(doc.education) <= EDUCATION_LEVELS.index(self.min_education)
        )
        years = doc.years_experience
        return (
            within(doc.zone, self.zones)
            and within(doc.industry, self.industries)
            and within(doc.segment, self.segments)
            and within(doc.talent_level, self.talent_levels)
            and within(doc.kind, self.kinds)
            and education_ok
            and (self.min_years is None or (years is not None and years >= self.min_years))
            and (self.max_years is None or (years is not None and years <= self.max_years))
            and self.consent <= doc.consent
            and (self.consent_any is None or bool(self.consent_any & doc.consent))
            and doc.id not in self.exclude_ids
        )


class FieldTable:
    """Filterable fields of the documents as columns (row i = ``ids[i]``), for vectorised masks."""

    def __init__(self, docs: Sequence[Document]):
        self.ids = np.array([d.id for d in docs], dtype=np.int64)
        # string columns as integer codes: np.isin over object arrays costs ~8 ms per query at 100k rows
        self._vocab: dict[str, dict[str, int]] = {}
        self._columns: dict[str, np.ndarray] = {}
        for name in ("kind", "zone", "industry", "segment", "talent_level"):
            vocab = self._vocab[name] = {}
            values = [getattr(d, name) or "" for d in docs]
            self._columns[name] = np.array([vocab.setdefault(v, len(vocab)) for v in values], dtype=np.int32)
        education_rank = {e: i for i, e in enumerate(EDUCATION_LEVELS)}
        self._education = np.array([education_rank.get(d.education, 99) for d in docs], dtype=np.int16)
        self._years = np.array(
            [np.nan if d.years_experience is None else d.years_experience for d in docs], dtype=np.float64
        )
        # scope → rows holding it: tenant scopes are open-ended, so no fixed bit layout
        holders: dict[str, list[int]] = {}
        for row, d in enumerate(docs):
            for scope in d.consent:
                holders.setdefault(scope, []).append(row)
        self._scope_rows = {s: np.array(rows, dtype=np.int64) for s, rows in holders.items()}

    def __len__(self) -> int:
        return len(self.ids)

    def _isin(self, column: str, allowed: Iterable[str]) -> np.ndarray:
        vocab = self._vocab[column]
        codes = np.array([vocab[v] for v in allowed if v in vocab], dtype=np.int32)
        return np.isin(self._columns[column], codes)

    def _holding(self, scope: str) -> np.ndarray:
        m = np.zeros(len(self.ids), dtype=bool)
        rows = self._scope_rows.get(scope)
        if rows is not None:
            m[rows] = True
        return m

    def kind_mask(self, kind: str) -> np.ndarray:
        return self._columns["kind"] == self._vocab["kind"].get(kind, -1)

    def mask(self, filters: Filters) -> np.ndarray:
        m = np.ones(len(self.ids), dtype=bool)
        for column, allowed in (
            ("zone", filters.zones),
            ("industry", filters.industries),
            ("segment", filters.segments),
            ("talent_level", filters.talent_levels),
            ("kind", filters.kinds),
        ):
            if allowed is not None:
                m &= self._isin(column, allowed)
        if filters.min_education is not None:
            m &= self._education <= EDUCATION_LEVELS.index(filters.min_education)
        with np.errstate(invalid="ignore"):
            if filters.min_years is not None:
                m &= self._years >= filters.min_years
            if filters.max_years is not None:
                m &= self._years <= filters.max_years
        for scope in filters.consent:
            m &= self._holding(scope)
        if filters.consent_any is not None:
            anyof = np.zeros(len(self.ids), dtype=bool)
            for scope in filters.consent_any:
                anyof |= self._holding(scope)
            m &= anyof
        if filters.exclude_ids:
            m &= ~np.isin(self.ids, np.fromiter(filters.exclude_ids, dtype=np.int64))
        return m
