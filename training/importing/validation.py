"""Row validation of import files, vectorised over a frame of strings.

Each rule returns a boolean mask of bad rows and a reason; problems are ``(line, field, reason)`` with
``line`` as an editor shows it. Nothing here touches the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.auth import ENTERPRISE_CODE
from models.storage.reference import ReferenceCodes
from models.talent import AGE_BANDS, CONSENT_SCOPE, PROJECT_KINDS
from models.taxonomy import EDUCATION_LEVELS

MONTH = re.compile(r"^(\d{4})-(\d{2})(-\d{2})?$")

Problem = tuple[int, str, str]


@dataclass(frozen=True)
class Rule:
    column: str
    check: Callable[[pd.Series], pd.Series]  # True where the value is bad
    reason: str


def _blank(s: pd.Series) -> pd.Series:
    return s.str.strip() == ""


def required(column: str, max_len: int = 200) -> list[Rule]:
    return [
        Rule(column, _blank, "required"),
        Rule(column, lambda s: s.str.len() > max_len, f"longer than {max_len} characters"),
    ]


def optional_text(column: str, max_len: int) -> list[Rule]:
    return [Rule(column, lambda s: s.str.len() > max_len, f"longer than {max_len} characters")]


def one_of(column: str, choices: Iterable[str], *, allow_blank: bool = False) -> list[Rule]:
    valid = sorted(set(choices))
    shown = ", ".join(valid[:12]) + (f", … ({len(valid)} in all)" if len(valid) > 12 else "")

    def bad(s: pd.Series) -> pd.Series:
        out = ~s.isin(valid)
        return out & ~_blank(s) if allow_blank else out

    return [Rule(column, bad, f"not one of: {shown}")]


def number(
    column: str,
    *,
    lo: float,
    hi: float = np.inf,
    integer: bool = False,
    nullable: bool = True,
    lo_inclusive: bool = True,
) -> list[Rule]:
    def parsed(s: pd.Series) -> pd.Series:
        return pd.to_numeric(s.where(~_blank(s)), errors="coerce")

    def not_a_number(s: pd.Series) -> pd.Series:
        return ~_blank(s) & parsed(s).isna()

    def out_of_range(s: pd.Series) -> pd.Series:
        v = parsed(s)
        below = v < lo if lo_inclusive else v <= lo
        return v.notna() & (below | (v > hi))

    def fractional(s: pd.Series) -> pd.Series:
        v = parsed(s)
        return v.notna() & (v != np.floor(v))

    bound = f"{'≥' if lo_inclusive else '>'} {lo:g}" + (f" and ≤ {hi:g}" if np.isfinite(hi) else "")
    rules = [Rule(column, not_a_number, "not a number"), Rule(column, out_of_range, f"must be {bound}")]
    if integer:
        rules.append(Rule(column, fractional, "must be a whole number"))
    if not nullable:
        rules.insert(0, Rule(column, _blank, "required"))
    return rules


def month(column: str) -> list[Rule]:
    def bad(s: pd.Series) -> pd.Series:
        parts = s.str.extract(MONTH)
        year = pd.to_numeric(parts[0], errors="coerce")
        mon = pd.to_numeric(parts[1], errors="coerce")
        return year.isna() | (year < 2000) | (year > 2100) | (mon < 1) | (mon > 12)

    return [Rule(column, bad, "not a month YYYY-MM between 2000-01 and 2100-12")]


def codes_list(column: str, valid: frozenset[str], what: str) -> list[Rule]:
    def bad(s: pd.Series) -> pd.Series:
        return s.map(lambda cell: any(c.strip() and c.strip() not in valid for c in cell.split(";")))

    return [Rule(column, bad, f"contains an unknown {what} code")]


def pattern_list(column: str, regex: re.Pattern, what: str) -> list[Rule]:
    def bad(s: pd.Series) -> pd.Series:
        return s.map(lambda cell: any(p.strip() and not regex.match(p.strip()) for p in cell.split(";")))

    return [Rule(column, bad, f"contains an invalid {what}")]


def rules_for(kind: str, codes: ReferenceCodes) -> list[Rule]:
    if kind == "observations":
        return [
            *one_of("zone_code", codes.zones),
            *one_of("segment_code", codes.segments),
            *one_of("occupation_code", codes.occupations),
            *month("month"),
            *number("postings", lo=0, integer=True),
            *number("job_seekers", lo=0, integer=True),
            *number("hires", lo=0, integer=True),
            *number("median_wage_cny", lo=0, lo_inclusive=False),
            *number("mean_days_to_fill", lo=0),
        ]
    if kind == "profiles":
        return [
            *required("external_ref", 64),
            *optional_text("name", 200),
            *optional_text("phone", 40),
            *optional_text("id_number", 40),
            *optional_text("email", 200),
            Rule("email", lambda s: ~_blank(s) & ~s.str.contains("@", regex=False), "not an e-mail address"),
            *optional_text("summary", 4000),
            *optional_text("titles", 1000),
            *optional_text("skills", 2000),
            *one_of("education_level", EDUCATION_LEVELS),
            *optional_text("field_of_study", 200),
            *number("years_experience", lo=0, hi=60, integer=True, nullable=False),
            *one_of("talent_level", codes.talent_levels),
            *one_of("zone_code", codes.zones),
            *one_of("occupation_code", codes.occupations, allow_blank=True),
            *one_of("age_band", AGE_BANDS),
            *number("publications", lo=0, integer=True),
            *number("patents", lo=0, integer=True),
            *pattern_list("consent_scopes", CONSENT_SCOPE, "consent scope (pool:matching, tenant:<code>, …)"),
        ]
    if kind == "projects":
        return [
            *required("enterprise_code", 40),
            Rule("enterprise_code", lambda s: ~s.str.match(ENTERPRISE_CODE), "not a slug [a-z0-9-]{2,40}"),
            *required("enterprise_name", 200),
            *required("external_ref", 64),
            *required("title", 200),
            *optional_text("description", 4000),
            *one_of("kind", PROJECT_KINDS),
            *one_of("segment_code", codes.segments),
            *one_of("zone_code", codes.zones),
            *codes_list("required_occupations", codes.occupations, "occupation"),
            *optional_text("required_skills", 2000),
            *one_of("talent_level", codes.talent_levels),
            *one_of("min_education", EDUCATION_LEVELS),
            *number("min_experience_years", lo=0, hi=60, integer=True, nullable=False),
            *number("funding_cny", lo=0),
        ]
    raise ValueError(kind)


KEYS = {
    "observations": ("zone_code", "segment_code", "occupation_code", "month"),
    "profiles": ("external_ref",),
    "projects": ("enterprise_code", "external_ref"),
}
OPTIONAL_COLUMNS = {"profiles": ("updated_at", "languages")}


def validate(frame: pd.DataFrame, kind: str, codes: ReferenceCodes, first_line: int) -> list[Problem]:
    """Every problem of every row; ``frame`` holds strings only, ``first_line`` is the line of row 0."""
    lines = np.arange(len(frame)) + first_line
    problems: list[Problem] = []
    bad_rows = np.zeros(len(frame), dtype=bool)
    for rule in rules_for(kind, codes):
        mask = np.asarray(rule.check(frame[rule.column]), dtype=bool)
        for line in lines[mask & ~bad_rows]:
            problems.append((int(line), rule.column, rule.reason))
        bad_rows |= mask
    if kind == "observations":
        pairs = list(zip(frame["segment_code"], frame["occupation_code"], strict=True))
        unknown = np.array([p not in codes.segment_occupations for p in pairs], dtype=bool) & ~bad_rows
        for line in lines[unknown]:
            problems.append((int(line), "occupation_code", "not in the talent chain of segment_code"))
        bad_rows |= unknown
    key = frame[list(KEYS[kind])].copy()
    if kind == "observations":
        key["month"] = key["month"].str.slice(0, 7)
    duplicated = key.duplicated(keep="first").to_numpy() & ~bad_rows
    for line in lines[duplicated]:
        problems.append((int(line), ",".join(KEYS[kind]), "duplicate of an earlier row's key"))
    return sorted(problems)
