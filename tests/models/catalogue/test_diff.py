"""The diff between two constructed editions: added, removed and urgency changes, each with a reason."""

from __future__ import annotations

from models.catalogue.diff import diff_documents

from .conftest import document, figure


def test_diff_of_a_constructed_pair_of_editions(taxonomy):
    occ = [x.occupation_code for x in taxonomy.talent_chain("NIT-1")]
    old = document(
        taxonomy,
        [
            figure(taxonomy, "NIT-1", 0, 3.0, 0.97),  # severe → will become moderate
            figure(taxonomy, "NIT-1", 1, 2.0, 0.8),  # stays marked
            figure(taxonomy, "NIT-1", 2, 2.0, 0.8),  # will be removed
        ],
    )
    new = document(
        taxonomy,
        [
            figure(taxonomy, "NIT-1", 0, 1.6, 0.55),
            figure(taxonomy, "NIT-1", 1, 2.0, 0.8),
            figure(taxonomy, "NIT-1", 3, 2.6, 0.95),  # added
        ],
    )
    d = diff_documents(
        old,
        new,
        current={("NIT", occ[2]): {"shortage_index": 1.1, "p_short": 0.2}},
        previous_label="2026-aaaa",
    )
    assert d["previous"] == "2026-aaaa"
    assert [x["occupation"] for x in d["added"]] == [occ[3]]
    assert [x["occupation"] for x in d["removed"]] == [occ[2]]
    assert [(x["occupation"], x["from"], x["to"]) for x in d["urgency_changed"]] == [
        (occ[0], "severe", "moderate")
    ]
    assert d["unchanged"] == 1
    removed = d["removed"][0]
    assert "1.10" in removed["reason_en"] and "20%" in removed["reason_zh"]
    assert (
        "lowered" in d["urgency_changed"][0]["reason_en"] and "降为" in d["urgency_changed"][0]["reason_zh"]
    )
    assert d["added"][0]["reason_zh"].startswith("新增") and d["added"][0]["reason_en"].startswith("added")


def test_without_a_previous_edition_everything_is_added(sample):
    d = diff_documents(None, sample)
    assert d["previous"] is None and not d["removed"] and len(d["added"]) == sample["summary"]["entries"]


def test_a_removal_without_a_current_assessment_still_says_why(taxonomy):
    old = document(taxonomy, [figure(taxonomy, "NIT-1", 0, 3.0, 0.97)])
    new = document(taxonomy, [])
    (removed,) = diff_documents(old, new)["removed"]
    assert removed["reason_zh"] and removed["reason_en"]
