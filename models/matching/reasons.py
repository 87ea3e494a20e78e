"""Why a match: requirements met (and the candidate's phrases that meet them), requirements missing,
occupation codes in common, and the score parts. Every ``Match`` carries one."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from models.matching.taxonomy_channel import SkillMatch
from models.matching.text import normalise

SNIPPET = 24  # characters of context either side of a matched phrase


@dataclass(frozen=True)
class RequirementMet:
    requirement: str  # as the requirement side wrote it
    phrase: str  # the candidate's words around the match
    how: str  # "text" (same words), "skill" (same taxonomy skill, any language), "field" (structured)


@dataclass(frozen=True)
class CodeInCommon:
    code: str
    name_en: str
    name_zh: str


@dataclass(frozen=True)
class Reasons:
    requirements_met: list[RequirementMet]
    requirements_missing: list[str]
    occupation_codes: list[CodeInCommon]
    score_parts: dict[str, float]
    channel_ranks: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self)


@lru_cache(maxsize=1024)
def _folded(text: str) -> str | None:
    """``text.casefold()`` where folding keeps every index (almost always); None where it does not."""
    low = text.casefold()
    return low if len(low) == len(text) else None


def snippet(text: str, needle: str) -> str | None:
    """The text around the first case-insensitive occurrence of ``needle`` (None if absent)."""
    needle = needle.strip()
    if not needle:
        return None
    if needle.lower() == needle.upper():  # nothing to fold (Chinese, digits): a plain find is exact
        start = text.find(needle)
        if start < 0:
            return None
        return _around(text, start, start + len(needle))
    low, low_needle = _folded(text), needle.casefold()
    if low is not None and len(low_needle) == len(needle):  # a find on folded text: far cheaper than re
        start = low.find(low_needle)
        if start < 0:
            return None
        end = start + len(needle)
    else:
        m = re.search(re.escape(needle), text, flags=re.IGNORECASE)
        if m is None:
            return None
        start, end = m.start(), m.end()
    return _around(text, start, end)


def _around(text: str, start: int, end: int) -> str:
    lo, hi = max(0, start - SNIPPET), min(len(text), end + SNIPPET)
    return ("…" if lo else "") + text[lo:hi].replace("\n", " ") + ("…" if hi < len(text) else "")


def requirement_evidence(
    requirements: Iterable[str],
    requirement_skills: Mapping[str, str],
    candidate_text: str,
    candidate_skills: Iterable[SkillMatch],
) -> tuple[list[RequirementMet], list[str]]:
    """Match each requirement to the candidate: same words first, else the same taxonomy skill.

    ``requirement_skills`` maps a requirement to its taxonomy skill key (where it has one), so a
    requirement written in English is met by a Chinese phrase of the same skill, and vice versa.
    """
    by_key = {s.key: s for s in candidate_skills}
    met: list[RequirementMet] = []
    missing: list[str] = []
    for requirement in dict.fromkeys(requirements):
        phrase = snippet(candidate_text, requirement)
        if phrase is not None:
            met.append(RequirementMet(requirement, phrase, "text"))
            continue
        key = requirement_skills.get(requirement)
        skill = by_key.get(key) if key else None
        if skill is not None:
            phrase = snippet(candidate_text, skill.surface) or skill.surface
            met.append(RequirementMet(requirement, phrase, "skill"))
            continue
        missing.append(requirement)
    return met, missing


def coverage(met: list[RequirementMet], missing: list[str]) -> float:
    total = len(met) + len(missing)
    return len(met) / total if total else 0.0


def same_words(a: str, b: str) -> bool:
    return normalise(a) == normalise(b)
