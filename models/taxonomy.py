"""The reference taxonomy: clusters, industry chains and their segments, occupations, zones.

Loaded from the CSVs in ``data/reference`` (columns documented in ``data/README.md``) into frozen
dataclasses. ``Taxonomy.load`` checks integrity and raises ``InvalidInput`` naming file, line and field.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from models.errors import InvalidInput, UnknownCode

EDUCATION_LEVELS = ("doctorate", "master", "bachelor", "associate", "vocational", "secondary")
STREAMS = ("upstream", "midstream", "downstream")
ZONE_KINDS = ("core_function_zone", "new_function_zone", "district")


@dataclass(frozen=True)
class CnMajorGroup:
    code: int
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class TalentLevel:
    code: str
    rank: int
    name_zh: str
    name_en: str
    description_en: str


@dataclass(frozen=True)
class Cluster:
    code: str
    name_zh: str
    name_en: str
    kind: str


@dataclass(frozen=True)
class Industry:
    code: str
    cluster_code: str
    name_zh: str
    name_en: str
    strategic_weight: float
    description_en: str


@dataclass(frozen=True)
class Segment:
    code: str
    industry_code: str
    position: int
    stream: str
    name_zh: str
    name_en: str
    description_en: str


@dataclass(frozen=True)
class Occupation:
    code: str
    name_zh: str
    name_en: str
    isco08_unit: str
    cn_major_group: int
    typical_education: str
    typical_experience_years: int
    skills_zh: tuple[str, ...]
    skills_en: tuple[str, ...]
    aliases_zh: tuple[str, ...] = ()
    aliases_en: tuple[str, ...] = ()

    @property
    def all_titles(self) -> tuple[str, ...]:
        """Canonical names and aliases in both languages."""
        return (self.name_zh, self.name_en, *self.aliases_zh, *self.aliases_en)


@dataclass(frozen=True)
class SegmentOccupation:
    segment_code: str
    occupation_code: str
    weight: float
    talent_levels: tuple[str, ...]


@dataclass(frozen=True)
class Zone:
    code: str
    kind: str
    name_zh: str
    name_en: str
    district_code: str
    grid_row: int
    grid_col: int
    lat: float
    lon: float


@dataclass(frozen=True)
class ZoneIndustry:
    zone_code: str
    industry_code: str
    intensity: float


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(";") if part.strip())


class _Reader:
    """Reads one CSV and turns conversion failures into problems that name file, line and field."""

    def __init__(self, directory: Path, problems: list[str]):
        self.directory = directory
        self.problems = problems

    def rows(self, name: str, columns: tuple[str, ...]):
        path = self.directory / name
        if not path.exists():
            self.problems.append(f"{path}: file missing")
            return
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                self.problems.append(f"{path}:1: missing columns {missing}")
                return
            for line, row in enumerate(reader, start=2):
                empty = [c for c in columns if (row.get(c) or "").strip() == ""]
                if empty:
                    self.problems.append(f"{path}:{line}: {empty[0]}: empty")
                    continue
                yield line, {c: row[c].strip() for c in columns}

    def convert(self, name: str, line: int, column: str, value: str, kind):
        try:
            return kind(value)
        except ValueError:
            self.problems.append(
                f"{self.directory / name}:{line}: {column}: not a {kind.__name__}: {value!r}"
            )
            return None


@dataclass
class Taxonomy:
    cn_major_groups: dict[int, CnMajorGroup]
    talent_levels: dict[str, TalentLevel]
    clusters: dict[str, Cluster]
    industries: dict[str, Industry]
    segments: dict[str, Segment]
    occupations: dict[str, Occupation]
    segment_occupations: list[SegmentOccupation]
    zones: dict[str, Zone]
    zone_industries: list[ZoneIndustry]
    _by_segment: dict[str, list[SegmentOccupation]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        by_segment: dict[str, list[SegmentOccupation]] = defaultdict(list)
        for link in self.segment_occupations:
            by_segment[link.segment_code].append(link)
        self._by_segment = dict(by_segment)

    # -- look-ups -------------------------------------------------------------------------------
    def occupation(self, code: str) -> Occupation:
        try:
            return self.occupations[code]
        except KeyError:
            raise UnknownCode("occupation", code) from None

    def segment(self, code: str) -> Segment:
        try:
            return self.segments[code]
        except KeyError:
            raise UnknownCode("segment", code) from None

    def zone(self, code: str) -> Zone:
        try:
            return self.zones[code]
        except KeyError:
            raise UnknownCode("zone", code) from None

    def industry(self, code: str) -> Industry:
        try:
            return self.industries[code]
        except KeyError:
            raise UnknownCode("industry", code) from None

    def search_occupations(self, query: str) -> list[Occupation]:
        """Occupations whose name or alias matches ``query``, best first.

        Exact title (case-insensitive) first, then a title starting with the query, then a whole word of
        a title, then a substring — so "CRA" finds the clinical research associate before "aircraft".
        """
        needle = query.strip().lower()
        if not needle:
            return list(self.occupations.values())
        word = re.compile(rf"(?<![a-z0-9]){re.escape(needle)}(?![a-z0-9])")

        def rank(occupation: Occupation) -> int | None:
            titles = [t.lower() for t in occupation.all_titles]
            for tier, test in enumerate(
                (needle.__eq__, lambda t: t.startswith(needle), word.search, lambda t: needle in t)
            ):
                if any(test(t) for t in titles):
                    return tier
            return None

        ranked = [(r, o.code, o) for o in self.occupations.values() if (r := rank(o)) is not None]
        return [o for _, _, o in sorted(ranked, key=lambda item: item[:2])]

    def segments_of(self, industry_code: str) -> list[Segment]:
        """The chain of an industry, upstream first."""
        return sorted(
            (s for s in self.segments.values() if s.industry_code == industry_code), key=lambda s: s.position
        )

    def talent_chain(self, segment_code: str) -> list[SegmentOccupation]:
        """The occupations a segment needs, heaviest first."""
        return sorted(self._by_segment.get(segment_code, []), key=lambda link: -link.weight)

    def industries_of_zone(self, zone_code: str) -> list[ZoneIndustry]:
        return [zi for zi in self.zone_industries if zi.zone_code == zone_code]

    # -- loading --------------------------------------------------------------------------------
    @classmethod
    def load(cls, directory: str | Path) -> Taxonomy:
        directory = Path(directory)
        problems: list[str] = []
        r = _Reader(directory, problems)

        groups = {}
        for line, row in r.rows("cn_major_groups.csv", ("cn_major_group", "name_zh", "name_en")):
            code = r.convert("cn_major_groups.csv", line, "cn_major_group", row["cn_major_group"], int)
            if code is not None:
                groups[code] = CnMajorGroup(code, row["name_zh"], row["name_en"])

        levels = {}
        for line, row in r.rows(
            "talent_levels.csv", ("level_code", "rank", "name_zh", "name_en", "description_en")
        ):
            rank = r.convert("talent_levels.csv", line, "rank", row["rank"], int)
            levels[row["level_code"]] = TalentLevel(
                row["level_code"], rank or 0, row["name_zh"], row["name_en"], row["description_en"]
            )

        clusters = {
            row["cluster_code"]: Cluster(row["cluster_code"], row["name_zh"], row["name_en"], row["kind"])
            for _, row in r.rows("clusters.csv", ("cluster_code", "name_zh", "name_en", "kind"))
        }

        industries = {}
        for line, row in r.rows(
            "industries.csv",
            ("industry_code", "cluster_code", "name_zh", "name_en", "strategic_weight", "description_en"),
        ):
            weight = r.convert("industries.csv", line, "strategic_weight", row["strategic_weight"], float)
            industries[row["industry_code"]] = Industry(
                row["industry_code"],
                row["cluster_code"],
                row["name_zh"],
                row["name_en"],
                weight if weight is not None else 0.0,
                row["description_en"],
            )
            if row["cluster_code"] not in clusters:
                problems.append(f"industries.csv:{line}: cluster_code: unknown {row['cluster_code']!r}")

        segments = {}
        for line, row in r.rows(
            "segments.csv",
            ("segment_code", "industry_code", "position", "stream", "name_zh", "name_en", "description_en"),
        ):
            position = r.convert("segments.csv", line, "position", row["position"], int)
            segments[row["segment_code"]] = Segment(
                row["segment_code"],
                row["industry_code"],
                position or 0,
                row["stream"],
                row["name_zh"],
                row["name_en"],
                row["description_en"],
            )
            if row["industry_code"] not in industries:
                problems.append(f"segments.csv:{line}: industry_code: unknown {row['industry_code']!r}")
            if row["stream"] not in STREAMS:
                problems.append(f"segments.csv:{line}: stream: {row['stream']!r} not one of {STREAMS}")

        aliases: dict[tuple[str, str], list[str]] = defaultdict(list)
        for _, row in r.rows("occupation_aliases.csv", ("occupation_code", "lang", "alias")):
            aliases[(row["occupation_code"], row["lang"])].append(row["alias"])

        occupations = {}
        for line, row in r.rows(
            "occupations.csv",
            (
                "occupation_code",
                "name_zh",
                "name_en",
                "isco08_unit",
                "cn_major_group",
                "typical_education",
                "typical_experience_years",
                "skills_zh",
                "skills_en",
            ),
        ):
            code = row["occupation_code"]
            if code in occupations:
                problems.append(f"occupations.csv:{line}: occupation_code: duplicate {code!r}")
            group = r.convert("occupations.csv", line, "cn_major_group", row["cn_major_group"], int)
            years = r.convert(
                "occupations.csv", line, "typical_experience_years", row["typical_experience_years"], int
            )
            if not (len(row["isco08_unit"]) == 4 and row["isco08_unit"].isdigit()):
                problems.append(f"occupations.csv:{line}: isco08_unit: not 4 digits: {row['isco08_unit']!r}")
            if group is not None and group not in groups:
                problems.append(f"occupations.csv:{line}: cn_major_group: unknown {group}")
            if row["typical_education"] not in EDUCATION_LEVELS:
                problems.append(
                    f"occupations.csv:{line}: typical_education: {row['typical_education']!r} "
                    f"not one of {EDUCATION_LEVELS}"
                )
            occupations[code] = Occupation(
                code,
                row["name_zh"],
                row["name_en"],
                row["isco08_unit"],
                group or 0,
                row["typical_education"],
                years or 0,
                _split(row["skills_zh"]),
                _split(row["skills_en"]),
                tuple(aliases.get((code, "zh"), ())),
                tuple(aliases.get((code, "en"), ())),
            )
        for code, lang in aliases:
            if code not in occupations:
                problems.append(f"occupation_aliases.csv: occupation_code: unknown {code!r}")
            if lang not in ("zh", "en"):
                problems.append(f"occupation_aliases.csv: lang: {lang!r} not one of ('zh', 'en')")

        links = []
        for line, row in r.rows(
            "segment_occupations.csv", ("segment_code", "occupation_code", "weight", "talent_levels")
        ):
            weight = r.convert("segment_occupations.csv", line, "weight", row["weight"], float)
            link = SegmentOccupation(
                row["segment_code"], row["occupation_code"], weight or 0.0, _split(row["talent_levels"])
            )
            links.append(link)
            if link.segment_code not in segments:
                problems.append(
                    f"segment_occupations.csv:{line}: segment_code: unknown {link.segment_code!r}"
                )
            if link.occupation_code not in occupations:
                problems.append(
                    f"segment_occupations.csv:{line}: occupation_code: unknown {link.occupation_code!r}"
                )
            for level in link.talent_levels:
                if level not in levels:
                    problems.append(f"segment_occupations.csv:{line}: talent_levels: unknown {level!r}")

        zones = {}
        for line, row in r.rows(
            "zones.csv",
            (
                "zone_code",
                "kind",
                "name_zh",
                "name_en",
                "district_code",
                "grid_row",
                "grid_col",
                "lat",
                "lon",
            ),
        ):
            if row["kind"] not in ZONE_KINDS:
                problems.append(f"zones.csv:{line}: kind: {row['kind']!r} not one of {ZONE_KINDS}")
            nums = [
                r.convert("zones.csv", line, c, row[c], t)
                for c, t in (("grid_row", int), ("grid_col", int), ("lat", float), ("lon", float))
            ]
            zones[row["zone_code"]] = Zone(
                row["zone_code"],
                row["kind"],
                row["name_zh"],
                row["name_en"],
                row["district_code"],
                *(n if n is not None else 0 for n in nums),
            )

        zone_industries = []
        for line, row in r.rows("zone_industries.csv", ("zone_code", "industry_code", "intensity")):
            intensity = r.convert("zone_industries.csv", line, "intensity", row["intensity"], float)
            zone_industries.append(ZoneIndustry(row["zone_code"], row["industry_code"], intensity or 0.0))
            if row["zone_code"] not in zones:
                problems.append(f"zone_industries.csv:{line}: zone_code: unknown {row['zone_code']!r}")
            if row["industry_code"] not in industries:
                problems.append(
                    f"zone_industries.csv:{line}: industry_code: unknown {row['industry_code']!r}"
                )

        taxonomy = cls(
            groups, levels, clusters, industries, segments, occupations, links, zones, zone_industries
        )
        problems.extend(taxonomy.integrity_problems())
        if problems:
            shown = "\n".join(problems[:20])
            raise InvalidInput(f"reference data in {directory} has {len(problems)} problem(s):\n{shown}")
        return taxonomy

    def integrity_problems(self) -> list[str]:
        """Cross-file rules that no single row can break alone."""
        problems = []
        for segment_code in self.segments:
            links = self._by_segment.get(segment_code, [])
            if not links:
                problems.append(f"segment {segment_code} has no occupations")
            elif abs((total := sum(link.weight for link in links)) - 1.0) > 1e-6:
                problems.append(f"segment {segment_code}: occupation weights sum to {total}")
        for industry_code in self.industries:
            chain = self.segments_of(industry_code)
            if len(chain) < 3:
                problems.append(f"industry {industry_code} has a chain of {len(chain)} segments (< 3)")
            if [s.position for s in chain] != list(range(1, len(chain) + 1)):
                problems.append(f"industry {industry_code}: segment positions are not 1..n")
        for zone in self.zones.values():
            district = self.zones.get(zone.district_code)
            if district is None or district.kind != "district":
                problems.append(f"zone {zone.code}: district_code {zone.district_code!r} is not a district")
        for name, seen in (("name_zh", set()), ("name_en", set())):
            for occupation in self.occupations.values():
                value = getattr(occupation, name)
                if value in seen:
                    problems.append(f"occupation {occupation.code}: {name} {value!r} used twice")
                seen.add(value)
        return problems
