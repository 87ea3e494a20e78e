"""Which of a requirement's asks a candidate meets: the evidence behind the reasons and the coverage
feature.

An ask is a skill the requirement lists or a taxonomy skill its text names; a candidate meets it with
the same words or with the same taxonomy skill in any language (``reasons.requirement_evidence``).
The taxonomy look-ups this needs depend on one document alone, so they are remembered per document id
and forgotten when the document is written or deleted: a search then looks up its query's asks once
and each pooled document's skills once per loaded index, instead of about seven look-ups for every
pooled document of every search (the largest cost of a search after the query's embedding).
"""

from __future__ import annotations

from dataclasses import dataclass

from models.matching.filters import Document
from models.matching.reasons import RequirementMet, requirement_evidence
from models.matching.taxonomy_channel import OccupationMatcher, SkillMatch


@dataclass(frozen=True)
class Asks:
    requirements: tuple[str, ...]  # as the requirement side wrote them, listed skills first
    skill_keys: dict[str, str]  # requirement → its taxonomy skill key, where it has one


def indexed_text(d: Document) -> str:
    """The text a document is indexed and matched by: its title and text, then its listed skills."""
    return "\n".join([d.full_text, *d.skills])


class RequirementEvidence:
    """``asks(doc)``, ``skills(doc)`` (remembered by ``doc.id`` when ``remember``), ``met(asks,
    candidate, skills)``; ``forget(ids)`` after writes."""

    def __init__(self, matcher: OccupationMatcher | None):
        self.matcher = matcher
        self._asks: dict[int, Asks] = {}
        self._skills: dict[int, tuple[SkillMatch, ...]] = {}

    def forget(self, ids) -> None:
        for i in ids:
            self._asks.pop(i, None)
            self._skills.pop(i, None)

    def known_skills(self, doc_id: int) -> tuple[SkillMatch, ...] | None:
        return self._skills.get(doc_id)

    def remember_skills(self, doc_id: int, skills: tuple[SkillMatch, ...]) -> None:
        """Seed a document's skills (saved with the index), so no query pays for finding them."""
        self._skills[doc_id] = skills

    def asks(self, requirement: Document, remember: bool = False) -> Asks:
        if remember and requirement.id in self._asks:
            return self._asks[requirement.id]
        listed = list(requirement.skills)
        found = self.matcher.skills(requirement.full_text) if self.matcher else []
        asked = listed + [s.surface for s in found if s.surface not in listed]
        keys: dict[str, str] = {}
        if self.matcher is not None:
            for r in asked:
                skills = self.matcher.skills(r)
                if skills:
                    keys[r] = skills[0].key
        out = Asks(tuple(asked), keys)
        if remember:
            self._asks[requirement.id] = out
        return out

    def skills(self, candidate: Document, remember: bool = False) -> tuple[SkillMatch, ...]:
        if remember and candidate.id in self._skills:
            return self._skills[candidate.id]
        out = tuple(self.matcher.skills(indexed_text(candidate))) if self.matcher else ()
        if remember:
            self._skills[candidate.id] = out
        return out

    @staticmethod
    def met(
        asks: Asks, candidate: Document, skills: tuple[SkillMatch, ...]
    ) -> tuple[list[RequirementMet], list[str]]:
        return requirement_evidence(asks.requirements, asks.skill_keys, indexed_text(candidate), skills)
