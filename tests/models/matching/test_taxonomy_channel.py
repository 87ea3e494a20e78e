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


def test_code_overlap_and_plain_index():
    assert overlap({"a": 1.0}, {"a": 0.5, "b": 1.0}) == 0.5
    assert overlap({}, {"a": 1.0}) == 0.0
    index = CodeIndex(3, [{"a": 1.0}, {"b": 1.0}, {"a": 0.5}], power=1, idf=False, normalise=False)
    assert index.scores({"a": 1.0}).tolist() == [1.0, 0.0, 0.5]


def test_a_focused_document_outranks_one_that_mentions_many_occupations():
    focused = {"a": 0.9}
    scattered = {"a": 0.9, **{f"x{i}": 0.7 for i in range(30)}}
    scores = CodeIndex(2, [scattered, focused]).scores({"a": 1.0})
    assert scores[1] > scores[0] > 0


def test_leave_one_out_hides_only_the_query_alias(occupations):
    m = OccupationMatcher(occupations)
    hidden = m.match("portfolio manager", exclude=["portfolio manager"])
    assert all(c.surface.lower() != "portfolio manager" for c in hidden.values())
    assert m.match("portfolio manager")["TC-2413-01"].how == "exact"  # gone for one look-up only
    assert m.match("investment manager", exclude=["portfolio manager"])["TC-2413-01"].how == "exact"
    assert "TC-2413-01" not in m.codes("投资经理", exclude=["投资经理"]) or (
        m.match("投资经理", exclude=["投资经理"])["TC-2413-01"].how not in ("exact", "contained")
    )


def test_counterparts_translate_titles_and_skills_through_the_taxonomy(occupations):
    m = OccupationMatcher(occupations)
    assert {"Data analyst", "data cleaning"} <= set(m.counterparts("招聘数据分析师，熟悉数据清洗"))
    assert {"数据工程师", "数据管道"} <= set(m.counterparts("Data engineer for data pipelines"))
    assert "Data analyst" not in m.counterparts("数据分析师", exclude=["数据分析师"])


def test_query_codes_weigh_the_title_line_over_the_rest(occupations):
    m = OccupationMatcher(occupations)
    codes = m.query_codes("Data engineer\nAlso hiring: fund manager")
    assert codes["TC-2511-01"] == 1.0  # the title, whole
    assert codes["TC-2413-01"] == 0.45  # contained (0.9), outside the title line (× 0.5)
    assert m.query_codes("Data engineer") == m.codes("Data engineer")


def test_mixed_titles_do_not_match_on_their_chinese_suffix_alone():
    from models.taxonomy import Occupation

    iiot = Occupation(
        "TC-X", "物联网工程师", "IoT engineer", "2", 2, "bachelor", 3, (), (), ("IIoT工程师",), ()
    )
    m = OccupationMatcher([iiot])
    assert all(c.surface != "IIoT工程师" for c in m.match("招聘机械工程师").values())
    assert m.match("IIoT工程师")["TC-X"].how == "exact"
