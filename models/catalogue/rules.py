"""Versioned urgency rules of the needs catalogue (急需紧缺人才目录): who enters, at which level.

A rule set is frozen and named by a version string (``"2026.1"``). Changing any threshold means a new
version: editions record the version they were built with, and the same data, model, rules version and
seed give the same catalogue. ``docs/catalogue.md`` explains every rule; this module is their one source.

Indicators of one occupation × chain segment over the catalogue year (see ``Indicators``):

* ``shortage_index`` — forecast 求人倍率, mean postings ÷ mean job seekers over the year's months;
* ``p_short`` — probability that the year's mean index exceeds the shortage threshold (1.5);
* ``days_to_fill_growth`` — mean days-to-fill of the last 12 observed months vs the 12 before;
* ``wage_growth`` — median offered wage of the last 12 observed months vs the 12 before;
* ``strategic_weight`` — the chain's weight in the policy (``industries.csv``, 0…1).

Entry: ``p_short ≥ entry_probability`` and ``shortage_index ≥ entry_index``. Points (Germany's
Engpassanalyse counts indicators past a threshold in the same way): index ≥ 2.5 → 2 points, ≥ 1.8 → 1;
P(short) ≥ 0.9 → 1; days-to-fill growth ≥ 10 % → 1; wage growth ≥ 6 % → 1 (nominal growth in the market
runs ~4.5 %); strategic weight ≥ 0.9 → 1. Level 特别紧缺 at ≥ 4 points, 比较紧缺 at ≥ 2, else 一般紧缺.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from models.errors import InvalidInput


@dataclass(frozen=True)
class UrgencyLevel:
    rank: int  # 1 = most urgent
    code: str
    name_zh: str
    name_en: str


LEVELS: tuple[UrgencyLevel, ...] = (
    UrgencyLevel(1, "severe", "特别紧缺", "Severe shortage"),
    UrgencyLevel(2, "marked", "比较紧缺", "Marked shortage"),
    UrgencyLevel(3, "moderate", "一般紧缺", "Moderate shortage"),
)
LEVEL_BY_RANK = {level.rank: level for level in LEVELS}


@dataclass(frozen=True)
class Indicators:
    """The indicators of one occupation × segment over the catalogue year; NaN = not available."""

    shortage_index: float
    p_short: float
    days_to_fill_growth: float = math.nan
    wage_growth: float = math.nan
    strategic_weight: float = 0.0


@dataclass(frozen=True)
class Point:
    """One indicator past its threshold: how many points, and the sentence that says so (zh, en)."""

    indicator: str
    points: int
    zh: str
    en: str


@dataclass(frozen=True)
class Assessment:
    eligible: bool
    level: UrgencyLevel | None
    points: tuple[Point, ...]
    score: float  # ranks entries of one level: higher first

    @property
    def total_points(self) -> int:
        return sum(p.points for p in self.points)


@dataclass(frozen=True)
class UrgencyRules:
    """Thresholds of one rules version. Frozen: a change is a new version, never an edit."""

    version: str
    entry_probability: float = 0.5
    entry_index: float = 1.5
    index_two_points: float = 2.5
    index_one_point: float = 1.8
    probability_point: float = 0.9
    fill_growth_point: float = 0.10
    wage_growth_point: float = 0.06
    strategic_point: float = 0.9
    severe_points: int = 4
    marked_points: int = 2
    max_entries_per_chain: int = 25
    score_weights: dict[str, float] = field(
        default_factory=lambda: {"index": 0.5, "probability": 0.3, "strategic": 0.2}
    )

    def as_dict(self) -> dict:
        return asdict(self)

    def assess(self, ind: Indicators) -> Assessment:
        """Entry, level and the points behind it for one occupation × segment."""
        eligible = (
            _finite(ind.p_short)
            and _finite(ind.shortage_index)
            and ind.p_short >= self.entry_probability
            and ind.shortage_index >= self.entry_index
        )
        points: list[Point] = []
        r = ind.shortage_index
        if _finite(r) and r >= self.index_one_point:
            two = r >= self.index_two_points
            bar = self.index_two_points if two else self.index_one_point
            points.append(
                Point(
                    "shortage_index",
                    2 if two else 1,
                    f"预测求人倍率{r:.2f}，达到{bar:g}以上",
                    f"forecast vacancy-to-job-seeker ratio {r:.2f}, at or above {bar:g}",
                )
            )
        if _finite(ind.p_short) and ind.p_short >= self.probability_point:
            points.append(
                Point(
                    "p_short",
                    1,
                    f"全年短缺概率{ind.p_short * 100:.0f}%",
                    f"probability of shortage over the year {ind.p_short:.0%}",
                )
            )
        g = ind.days_to_fill_growth
        if _finite(g) and g >= self.fill_growth_point:
            points.append(
                Point(
                    "days_to_fill_growth",
                    1,
                    f"平均招聘周期同比延长{g * 100:.0f}%",
                    f"time to fill a vacancy up {g:.0%} year on year",
                )
            )
        w = ind.wage_growth
        if _finite(w) and w >= self.wage_growth_point:
            points.append(
                Point(
                    "wage_growth",
                    1,
                    f"薪酬中位数同比上涨{w * 100:.0f}%",
                    f"median offered wage up {w:.0%} year on year",
                )
            )
        if ind.strategic_weight >= self.strategic_point:
            points.append(
                Point(
                    "strategic_weight",
                    1,
                    f"所属产业链为重点发展产业（权重{ind.strategic_weight:.2f}）",
                    f"the chain is a policy priority (weight {ind.strategic_weight:.2f})",
                )
            )
        total = sum(p.points for p in points)
        level = None
        if eligible:
            rank = 1 if total >= self.severe_points else 2 if total >= self.marked_points else 3
            level = LEVEL_BY_RANK[rank]
        return Assessment(eligible, level, tuple(points), self._score(ind))

    def _score(self, ind: Indicators) -> float:
        w = self.score_weights
        s_index = min(max((ind.shortage_index - 1.0) / (self.index_two_points - 1.0), 0.0), 1.0)
        s_index = s_index if _finite(s_index) else 0.0
        p = ind.p_short if _finite(ind.p_short) else 0.0
        return w["index"] * s_index + w["probability"] * p + w["strategic"] * ind.strategic_weight


def _finite(x: float) -> bool:
    return x is not None and math.isfinite(x)


RULES: dict[str, UrgencyRules] = {"2026.1": UrgencyRules(version="2026.1")}
CURRENT_RULES = "2026.1"


def rules(version: str = CURRENT_RULES) -> UrgencyRules:
    """The rule set of ``version``; raises InvalidInput listing the versions this code knows."""
    try:
        return RULES[version]
    except KeyError:
        raise InvalidInput(
            f"unknown rules version {version!r}; known: {sorted(RULES)}", field="rules_version"
        ) from None
