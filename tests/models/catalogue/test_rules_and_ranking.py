"""Urgency rules are versioned and explainable; entries are ranked per chain and fully bilingual."""

from __future__ import annotations

import math

import pytest

from models.catalogue import validate
from models.catalogue.build import content_sha256, iter_entries
from models.catalogue.rules import RULES, Indicators, rules
from models.errors import InvalidInput

from .conftest import document, figure


def test_unknown_rules_version_names_the_known_ones():
    with pytest.raises(InvalidInput, match="2026.1"):
        rules("1999.9")


def test_rule_sets_are_frozen_so_a_change_needs_a_new_version():
    with pytest.raises(AttributeError):
        RULES["2026.1"].entry_index = 1.2  # type: ignore[misc]


@pytest.mark.parametrize(
    ("ind", "level"),
    [
        (Indicators(3.0, 0.97, 0.2, 0.08, 0.95), "severe"),
        (Indicators(2.6, 0.95, math.nan, math.nan, 1.0), "severe"),
        (Indicators(2.0, 0.8, math.nan, math.nan, 0.95), "marked"),
        (Indicators(1.6, 0.55, math.nan, math.nan, 0.95), "moderate"),
        (Indicators(1.6, 0.55, math.nan, math.nan, 0.5), "moderate"),
        (Indicators(1.4, 0.9, 0.5, 0.5, 1.0), None),  # below the entry ratio
        (Indicators(2.0, 0.3, 0.5, 0.5, 1.0), None),  # not probable enough
        (Indicators(math.nan, math.nan), None),
    ],
)
def test_urgency_levels_follow_the_documented_points(ind, level):
    a = rules().assess(ind)
    assert (a.level.code if a.level else None) == level
    assert all(p.zh and p.en for p in a.points)


def test_entries_are_ranked_by_urgency_within_each_chain(sample):
    nit = next(c for c in sample["chains"] if c["code"] == "NIT")
    assert [e["rank"] for e in nit["entries"]] == list(range(1, len(nit["entries"]) + 1))
    ranks = [e["urgency"]["rank"] for e in nit["entries"]]
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert sample["summary"]["entries"] == len(list(iter_entries(sample)))


def test_every_entry_has_zh_and_en_names_and_at_least_one_reason(sample):
    for e in iter_entries(sample):
        for part in ("occupation", "chain", "segment", "urgency", "education"):
            assert e[part]["name_zh"] and e[part]["name_en"]
        assert e["reasons"] and all(r["zh"] and r["en"] for r in e["reasons"])
        assert all(t["name_zh"] and t["name_en"] for t in e["talent_levels"])


def test_the_document_passes_its_json_schema(sample):
    assert validate.problems(sample) == []


def test_schema_rejects_an_entry_without_reasons(sample):
    broken = {**sample, "chains": [dict(c) for c in sample["chains"]]}
    entry = dict(broken["chains"][0]["entries"][0])
    entry["reasons"] = []
    broken["chains"][0] = {**broken["chains"][0], "entries": [entry]}
    with pytest.raises(InvalidInput, match="reason"):
        validate.check(broken)


def test_pay_guidance_is_rounded_to_500_and_brackets_the_observed_wages(sample):
    pay = next(iter_entries(sample))["pay_guidance"]
    assert (pay["low"], pay["high"]) == (12_000, 19_000)


def _shared_occupation(taxonomy):
    """(occupation, segment a, index in a, segment b, index in b) for one occupation in two segments."""
    for chain in sorted(taxonomy.industries):
        segments = taxonomy.segments_of(chain)
        for i, a in enumerate(segments):
            codes_a = [x.occupation_code for x in taxonomy.talent_chain(a.code)]
            for b in segments[i + 1 :]:
                codes_b = [x.occupation_code for x in taxonomy.talent_chain(b.code)]
                for occ in codes_a:
                    if occ in codes_b:
                        return occ, a.code, codes_a.index(occ), b.code, codes_b.index(occ)
    raise AssertionError("the shipped taxonomy has no occupation in two segments of one chain")


def test_an_occupation_short_in_two_segments_of_one_chain_is_listed_once(taxonomy):
    occ, a, ka, b, kb = _shared_occupation(taxonomy)
    doc = document(taxonomy, [figure(taxonomy, a, ka, 2.0, 0.8), figure(taxonomy, b, kb, 3.0, 0.99)])
    (entry,) = list(iter_entries(doc))
    assert entry["occupation"]["code"] == occ
    assert entry["segment"]["code"] == b and entry["other_segments"] == [a]


def test_same_inputs_give_the_same_content_hash(taxonomy):
    figs = [figure(taxonomy, "NIT-1", 0, 3.0, 0.97)]
    assert content_sha256(document(taxonomy, figs)) == content_sha256(document(taxonomy, list(figs)))
    assert content_sha256(document(taxonomy, figs)) != content_sha256(document(taxonomy, figs, year=2028))
