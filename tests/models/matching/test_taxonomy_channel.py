from models.matching.taxonomy_channel import CodeIndex, OccupationMatcher, gloss, overlap


def test_chinese_and_english_titles_meet_on_the_same_code(occupations):
    m = OccupationMatcher(occupations)
    assert "TC-2212-01" in m.codes("临床监查员")
    assert "TC-2212-01" in m.codes("Clinical research associate, oncology")
    assert m.match("CRA")["TC-2212-01"].how == "exact"


def test_a_title_inside_longer_text_is_found(occupations):
    match = OccupationMatcher(occupations).match("资深数据工程师，五年经验")
    assert match["TC-2511-01"].how == "contained"


def test_partial_titles_match_through_tokens_and_ngrams(occupations):
    assert "TC-2212-01" in OccupationMatcher(occupations).codes("临床试验监查")
    assert "TC-2511-01" in OccupationMatcher(occupations).codes("big data pipeline developer")


def test_held_out_aliases_are_not_looked_up(occupations):
    m = OccupationMatcher(occupations, exclude=["portfolio manager", "投资经理"])
    assert (
        m.match("portfolio manager").get("TC-2413-01") is None
        or m.match("portfolio manager")["TC-2413-01"].how != "exact"
    )


def test_skills_are_keyed_across_languages(occupations):
    m = OccupationMatcher(occupations)
    assert (
        {s.key for s in m.skills("熟练数据清洗")}
        == {s.key for s in m.skills("data cleaning")}
        == {"data cleaning"}
    )


def test_cedict_glosses_chinese_words():
    assert "engineer" in gloss("工程师")


def test_code_overlap_and_index():
    assert overlap({"a": 1.0}, {"a": 0.5, "b": 1.0}) == 0.5
    assert overlap({}, {"a": 1.0}) == 0.0
    index = CodeIndex(3, [{"a": 1.0}, {"b": 1.0}, {"a": 0.5}])
    assert index.scores({"a": 1.0}).tolist() == [1.0, 0.0, 0.5]
