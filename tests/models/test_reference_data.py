"""Integrity of the shipped reference data (data/reference, documented in data/README.md)."""

from __future__ import annotations

import re
import shutil
from collections import Counter

import pytest

from models.errors import InvalidInput
from models.taxonomy import Taxonomy
from tests.conftest import REFERENCE_DIR

POLICY_INDUSTRIES = {"FIN", "HTS", "CUL", "NIT", "BIO", "EEP", "NEN", "NEV", "NMA", "HEM", "AER"}


def test_the_policys_eleven_industries_each_form_a_chain_of_at_least_three_segments(taxonomy):
    assert set(taxonomy.industries) == POLICY_INDUSTRIES
    for code in POLICY_INDUSTRIES:
        chain = taxonomy.segments_of(code)
        assert len(chain) >= 3
        assert chain[0].stream == "upstream" and chain[-1].stream == "downstream"


def test_every_segment_uses_existing_occupations_with_weights_summing_to_one(taxonomy):
    for segment in taxonomy.segments.values():
        links = taxonomy.talent_chain(segment.code)
        assert links, segment.code
        assert all(link.occupation_code in taxonomy.occupations for link in links)
        assert sum(link.weight for link in links) == pytest.approx(1.0, abs=1e-6)
        assert all(
            link.talent_levels and set(link.talent_levels) <= set(taxonomy.talent_levels) for link in links
        )


def test_occupations_have_unique_codes_bilingual_names_isco_units_and_aliases(taxonomy):
    occupations = list(taxonomy.occupations.values())
    used = {link.occupation_code for link in taxonomy.segment_occupations}
    assert len(occupations) >= 300 and used == set(taxonomy.occupations)
    for o in occupations:
        assert re.fullmatch(r"TC-\d{4}-\d{2}", o.code) and o.code[3:7] == o.isco08_unit
        assert o.isco08_unit[0] != "0" or o.isco08_unit.startswith("01")  # 0 is the armed forces
        assert o.cn_major_group in taxonomy.cn_major_groups
        assert re.search(r"[\u4e00-\u9fff]", o.name_zh) and re.search(r"[A-Za-z]", o.name_en)
        assert o.aliases_zh and o.aliases_en
        assert len(o.skills_zh) == len(o.skills_en) > 0
    assert sum(len(o.aliases_zh) + len(o.aliases_en) for o in occupations) / len(occupations) >= 5


def test_aliases_rarely_point_to_two_occupations(taxonomy):
    owners = Counter(
        alias.lower() for o in taxonomy.occupations.values() for alias in set(o.aliases_zh + o.aliases_en)
    )
    shared = [alias for alias, n in owners.items() if n > 1]
    assert len(shared) <= 0.03 * len(owners), shared[:20]


def test_zones_are_the_six_core_four_new_function_zones_and_sixteen_districts(taxonomy):
    kinds = Counter(z.kind for z in taxonomy.zones.values())
    assert kinds == {"core_function_zone": 6, "new_function_zone": 4, "district": 16}
    tiles = [(z.grid_row, z.grid_col) for z in taxonomy.zones.values()]
    assert len(set(tiles)) == len(tiles)
    for zone in taxonomy.zones.values():
        assert len(taxonomy.industries_of_zone(zone.code)) >= 2, zone.code
    hosted = Counter(zi.industry_code for zi in taxonomy.zone_industries)
    assert set(hosted) == POLICY_INDUSTRIES


def test_a_broken_reference_file_is_refused_naming_file_line_and_field(tmp_path):
    broken = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, broken)
    lines = (broken / "segment_occupations.csv").read_text(encoding="utf-8").splitlines()
    segment = lines[1].split(",")[0]
    lines[1] = f"{segment},TC-9999-99,0.1,professional"
    (broken / "segment_occupations.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as refused:
        Taxonomy.load(broken)
    assert "segment_occupations.csv:2: occupation_code: unknown 'TC-9999-99'" in refused.value.message


def test_occupation_search_ranks_exact_and_whole_word_matches_before_substrings(taxonomy):
    cra = [o for o in taxonomy.occupations.values() if "CRA" in o.aliases_en]
    assert cra, "the clinical research associate carries the alias CRA"
    found = taxonomy.search_occupations("cra")
    assert found[0].code == cra[0].code
    assert any("aircraft" in o.name_en.lower() for o in found[1:])  # substrings still come, later
    assert taxonomy.search_occupations("  ") == list(taxonomy.occupations.values())
