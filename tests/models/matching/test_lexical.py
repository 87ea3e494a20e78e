import math
from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from models.matching.lexical import BM25
from models.matching.text import language, tokens


def reference_bm25(docs, query, k1=1.2, b=0.75):
    n, avgdl = len(docs), sum(map(len, docs)) / len(docs)
    out = []
    for doc in docs:
        tf, score = Counter(doc), 0.0
        for term, qtf in Counter(query).items():
            df = sum(term in d for d in docs)
            if df == 0 or tf[term] == 0:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            score += qtf * idf * tf[term] * (k1 + 1) / (tf[term] + k1 * (1 - b + b * len(doc) / avgdl))
        out.append(score)
    return np.array(out)


words = st.lists(st.sampled_from(list("abcdefgh")), min_size=1, max_size=12)


@settings(max_examples=50, deadline=None)
@given(docs=st.lists(words, min_size=1, max_size=15), query=words)
def test_scores_match_a_reference_implementation(docs, query):
    bm25 = BM25().index(list(range(len(docs))), docs)
    np.testing.assert_allclose(bm25.scores(query), reference_bm25(docs, query), rtol=1e-4, atol=1e-5)


def test_mixed_chinese_and_english_text_is_tokenised_by_language():
    toks = tokens("数据分析师 skilled in Python and data pipelines")
    assert {"数据", "分析", "python", "pipeline"} <= set(toks)
    assert "and" not in toks
    assert language("临床 CRA") == "zh" and language("CRA") == "en"


def test_chinese_query_finds_chinese_document_and_mask_excludes():
    docs = [
        "数据分析师 负责数据清洗、统计分析",
        "临床监查员 负责临床试验的监查",
        "Data engineer building pipelines",
    ]
    bm25 = BM25().index([10, 20, 30], [tokens(d) for d in docs])
    assert bm25.retrieve("临床试验监查", 3).ids[0] == 20
    assert bm25.retrieve("data pipelines", 3).ids[0] == 30
    assert 20 not in bm25.retrieve("临床试验监查", 3, allowed=np.array([True, False, True])).ids


def test_save_and_load_round_trip(tmp_path):
    docs = ["数据分析师 统计分析", "fund manager portfolio", "临床 监查"]
    bm25 = BM25(k1=1.5, b=0.6).index([1, 2, 3], [tokens(d) for d in docs])
    bm25.save(tmp_path)
    loaded = BM25.load(tmp_path, mmap=True)
    assert loaded.get_params() == {"k1": 1.5, "b": 0.6}
    for q in ("统计分析", "portfolio manager", "监查"):
        a, b = bm25.retrieve(q, 3), loaded.retrieve(q, 3)
        np.testing.assert_array_equal(a.ids, b.ids)
        np.testing.assert_array_equal(a.scores, b.scores)
