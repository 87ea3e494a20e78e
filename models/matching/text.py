"""Tokenising mixed Chinese/English text: jieba for Chinese runs, lower-cased words for the rest.

``tokens`` is what BM25 indexes; ``normalise`` is what alias look-ups compare. English words keep
``c++``, ``c#`` and ``.net`` whole, and lose a plural ``s`` (``pipelines`` → ``pipeline``) so that
inflection does not hide a match.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_CJK}]+|[a-z0-9][a-z0-9+#]*(?:\.[a-z0-9]+)*|\.net")
_HAS_CJK = re.compile(rf"[{_CJK}]")
_PUNCT = re.compile(rf"[^{_CJK}a-z0-9+#. ]+")
_SPACE = re.compile(r"\s+")

EN_STOPWORDS = frozenset(
    "a an and are as at be by for from has have in is it of on or our the their to we with will you your "
    "who which this that these those into over under per via".split()
)
ZH_STOPWORDS = frozenset(
    "的 和 与 及 或 等 在 为 对 是 了 有 并 其 中 从 以 将 于 及其 负责 相关 进行".split()
)


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def has_chinese(text: str) -> bool:
    return bool(_HAS_CJK.search(text))


def language(text: str) -> str:
    """``"zh"`` when the text holds any Chinese character, else ``"en"``."""
    return "zh" if has_chinese(text) else "en"


def normalise(text: str) -> str:
    """NFKC, lower case, punctuation to spaces, single spaces (full-width letters become ASCII)."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _SPACE.sub(" ", _PUNCT.sub(" ", text)).strip()


def stem(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def runs(text: str) -> list[tuple[str, bool]]:
    """The normalised text as (run, is_chinese) pieces, in order."""
    return [(m.group(0), bool(_HAS_CJK.match(m.group(0)))) for m in _RUNS.finditer(normalise(text))]


@lru_cache(maxsize=200_000)
def _cut(run: str, for_search: bool) -> tuple[str, ...]:
    jieba = _jieba()
    words = jieba.cut_for_search(run) if for_search else jieba.cut(run)
    return tuple(w for w in words if w.strip())


def tokens(text: str, *, for_search: bool = True, keep_stopwords: bool = False) -> list[str]:
    """BM25 tokens: jieba words for Chinese runs (search mode adds the sub-words of long words, so
    数据分析师 also yields 数据 and 分析), stemmed lower-case words for English."""
    out: list[str] = []
    for run, chinese in runs(text):
        if chinese:
            out.extend(w for w in _cut(run, for_search) if keep_stopwords or w not in ZH_STOPWORDS)
        elif keep_stopwords or run not in EN_STOPWORDS:
            out.append(stem(run))
    return out


def char_ngrams(text: str, n: int = 2) -> set[str]:
    """Character n-grams of the Chinese runs (single characters for one-character runs)."""
    grams: set[str] = set()
    for run, chinese in runs(text):
        if chinese:
            if len(run) < n:
                grams.add(run)
            grams.update(run[i : i + n] for i in range(len(run) - n + 1))
    return grams
