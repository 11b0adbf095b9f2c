"""The knowledge-base search engine: pure Python over an in-memory index, no Flask and no database.

Ranking, per language:
- BM25F over the fields title, alternative questions, keywords and body (field weights, per-field length
  normalisation), scaled by the query's total term weight so it lies between 0 and 1;
- the cosine similarity of the query with the single best-matching passage (the title or one alternative
  question), which is what lets "rubbish not collected" find the article that lists exactly that question.
The score is a weighted mix of the two, so it is comparable across queries and a threshold can say whether
an answer is confident. The leading documents are then reranked by the fuzzy likeness of the whole query
to their closest passage (rapidfuzz token-set ratio).

Typo tolerance is at the level of terms: a query word that is not in the vocabulary is matched to the
nearest vocabulary words (rapidfuzz), or split into two vocabulary words, and counts at a weight that falls
with the distance. Synonyms add alternatives to a query word at a lower weight.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from .analysis import Analyzer, analyzer_for, clean_query
from .synonyms import SynonymTable, load_synonyms


@dataclass(frozen=True)
class Document:
    key: str
    lang: str
    title: str
    questions: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    body: str = ""
    payload: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Hit:
    key: str
    lang: str
    score: float
    document: Document


@dataclass(frozen=True)
class SearchResponse:
    query: str
    lang: str
    confident: bool
    hits: list[Hit]

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None


@dataclass(frozen=True)
class EngineConfig:
    field_weights: Mapping[str, float] = field(
        default_factory=lambda: {"title": 1.5, "questions": 2.0, "keywords": 2.0, "body": 1.0}
    )
    field_b: Mapping[str, float] = field(
        default_factory=lambda: {"title": 0.5, "questions": 0.75, "keywords": 0.5, "body": 0.75}
    )
    k1: float = 1.2
    passage_weight: float = 0.35
    synonym_weight: float = 0.8
    split_weight: float = 0.8
    fuzzy_limit: int = 3
    rerank_weight: float = 0.5
    rerank_depth: int = 20
    confidence_threshold: float = 0.46  # bench/calibrate.py: training data only, no test set
    max_query_words: int = 32


FIELDS = ("title", "questions", "keywords", "body")
FUZZY_CACHE_SIZE = 4096


@dataclass
class _Alternative:
    term: str
    weight: float


@dataclass
class _QueryTerm:
    """One word of the query with the index terms that may stand for it."""

    word: str
    alternatives: list[_Alternative]
    ideal_idf: float
    spelling: str = ""  # the word, and for a typo also the nearest vocabulary word

    def __post_init__(self):
        self.spelling = self.spelling or self.word


class LanguageIndex:
    """Everything needed to rank documents of one language."""

    def __init__(self, lang: str, documents: list[Document], config: EngineConfig, synonyms: SynonymTable):
        self.lang = lang
        self.config = config
        self.analyzer: Analyzer = analyzer_for(lang)
        self.synonyms = synonyms
        self.documents = documents
        self.size = len(documents)
        self._build()

    # ---- building -------------------------------------------------------------------------------------

    def _build(self) -> None:
        field_terms = {name: [] for name in FIELDS}
        passage_terms: list[Counter] = []
        passage_doc: list[int] = []
        document_frequency: Counter = Counter()
        surface: dict[str, str] = {}
        self.passages: list[list[str]] = []
        for doc_id, doc in enumerate(self.documents):
            texts = {
                "title": doc.title,
                "questions": " \n ".join(doc.questions),
                "keywords": " \n ".join(doc.keywords),
                "body": doc.body,
            }
            seen: set[str] = set()
            for name in FIELDS:
                words = self.analyzer.content_words(texts[name])
                terms = [self.analyzer.stem(word) for word in words]
                surface.update(zip(words, terms, strict=False))
                field_terms[name].append(Counter(terms))
                seen.update(terms)
            document_frequency.update(seen)
            self.passages.append(
                [" ".join(self.analyzer.content_words(p)) for p in (doc.title, *doc.questions)]
            )
            for passage in (doc.title, *doc.questions):
                passage_terms.append(Counter(self.analyzer.terms(passage)))
                passage_doc.append(doc_id)
        self.idf = {term: self._idf(df) for term, df in document_frequency.items()}
        self.unknown_idf = self._idf(0.5)
        self._build_field_postings(field_terms)
        self._build_passage_postings(passage_terms, passage_doc)
        self.stems = frozenset(self.idf)
        self.word_to_term = surface
        by_length: dict[int, list[str]] = defaultdict(list)
        for word in surface:
            if not any(ch.isdigit() for ch in word):  # reference codes and phone numbers are not misspelt
                by_length[len(word)].append(word)
        self._fuzzy_candidates = {
            length: [word for near in range(length - 2, length + 3) for word in by_length.get(near, ())]
            for length in range(4, max(by_length, default=0) + 3)
        }
        self._fuzzy_cache: dict[str, list[_Alternative]] = {}

    def _idf(self, df: float) -> float:
        return math.log(1.0 + (self.size - df + 0.5) / (df + 0.5))

    def _build_field_postings(self, field_terms: dict[str, list[Counter]]) -> None:
        """Per term, the saturated BM25F term frequency of each document; it depends on no query."""
        weights, bs, k1 = self.config.field_weights, self.config.field_b, self.config.k1
        lengths = {name: [sum(c.values()) for c in field_terms[name]] for name in FIELDS}
        averages = {name: (sum(lengths[name]) / max(1, self.size)) or 1.0 for name in FIELDS}
        pseudo: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
        for name in FIELDS:
            weight, b, average = weights[name], bs[name], averages[name]
            for doc_id, counts in enumerate(field_terms[name]):
                norm = 1.0 - b + b * lengths[name][doc_id] / average
                for term, tf in counts.items():
                    pseudo[term][doc_id] += weight * tf / norm
        self.field_postings = {
            term: (np.fromiter(docs.keys(), dtype=np.int32), np.array([v / (k1 + v) for v in docs.values()]))
            for term, docs in pseudo.items()
        }

    def _build_passage_postings(self, passage_terms: list[Counter], passage_doc: list[int]) -> None:
        """Per term, its weight in each unit-length tf-idf passage vector."""
        postings: dict[str, dict[int, float]] = defaultdict(dict)
        for passage_id, counts in enumerate(passage_terms):
            vector = {t: (1.0 + math.log(tf)) * self.idf[t] for t, tf in counts.items()}
            norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
            for term, value in vector.items():
                postings[term][passage_id] = value / norm
        self.passage_postings = {
            term: (np.fromiter(ps.keys(), dtype=np.int32), np.fromiter(ps.values(), dtype=np.float64))
            for term, ps in postings.items()
        }
        self.passage_doc = np.array(passage_doc, dtype=np.int32)
        self.passage_count = len(passage_doc)

    # ---- querying -------------------------------------------------------------------------------------

    def analyse_query(self, query: str) -> list[_QueryTerm]:
        words = self.analyzer.content_words(query)[: self.config.max_query_words]
        query_terms = [self._query_term(word) for word in words]
        self._add_synonyms(words, query_terms)
        return query_terms

    def _query_term(self, word: str) -> _QueryTerm:
        term = self.analyzer.stem(word)
        if term in self.stems:
            return _QueryTerm(word, [_Alternative(term, 1.0)], self.idf[term])
        nearest = self._fuzzy_alternatives(word)
        alternatives = [alternative for _, alternative in nearest] or self._split_alternatives(word)
        ideal = max((self.idf[a.term] for a in alternatives), default=self.unknown_idf)
        return _QueryTerm(word, alternatives, ideal, spelling=f"{word} {nearest[0][0]}" if nearest else word)

    def _fuzzy_alternatives(self, word: str) -> list[tuple[str, _Alternative]]:
        """Vocabulary words within a small edit distance; residents repeat the same typos, so cached."""
        if len(word) < 4 or any(ch.isdigit() for ch in word):
            return []
        if word not in self._fuzzy_cache:
            if len(self._fuzzy_cache) >= FUZZY_CACHE_SIZE:
                self._fuzzy_cache.clear()
            self._fuzzy_cache[word] = self._nearest_words(word)
        return list(self._fuzzy_cache[word])

    def _nearest_words(self, word: str) -> list[tuple[str, _Alternative]]:
        """(vocabulary word, alternative) nearest first, one per index term."""
        cutoff = 75.0 if len(word) <= 6 else 80.0
        candidates = self._fuzzy_candidates.get(len(word), ())
        matches = process.extract(
            word, candidates, scorer=fuzz.ratio, limit=self.config.fuzzy_limit, score_cutoff=cutoff
        )
        best: dict[str, tuple[str, _Alternative]] = {}
        for candidate, similarity, _ in matches:
            term = self.word_to_term[candidate]
            if term not in best:
                best[term] = (candidate, _Alternative(term, (similarity / 100.0) ** 2))
        return list(best.values())

    def _split_alternatives(self, word: str) -> list[_Alternative]:
        """'wheeliebin' is 'wheelie bin': two vocabulary words run together."""
        for cut in range(3, len(word) - 2):
            left, right = word[:cut], word[cut:]
            if left in self.word_to_term and right in self.word_to_term:
                weight = self.config.split_weight
                return [
                    _Alternative(self.word_to_term[left], weight),
                    _Alternative(self.word_to_term[right], weight),
                ]
        return []

    def _add_synonyms(self, words: list[str], query_terms: list[_QueryTerm]) -> None:
        weight = self.config.synonym_weight
        for position, phrase_length, equivalents in self.synonyms.matches(words):
            matched = query_terms[position : position + phrase_length]
            own = {alternative.term for query_term in matched for alternative in query_term.alternatives}
            terms = dict.fromkeys(
                term
                for equivalent in equivalents
                for term in self.analyzer.terms(equivalent)
                if term in self.stems and term not in own
            )
            extra = [_Alternative(term, weight) for term in terms]
            for query_term in matched:
                query_term.alternatives.extend(extra)
                if extra and query_term.ideal_idf == self.unknown_idf:
                    query_term.ideal_idf = max(self.idf[a.term] for a in extra)

    def rerank(self, query_terms: list[_QueryTerm], scores: np.ndarray) -> np.ndarray:
        """Mix in how closely the whole query reads like the best passage of each leading document.

        Both sides are folded words, a typo joined by its nearest vocabulary word. rapidfuzz's token-set
        ratio sees what summing terms does not: how much of a short question the query covers, and
        near-misses between words (plurals, word forms the stemmer keeps apart). It is scaled by the square
        root of the term score, so a document matching hardly any query term cannot rise on resemblance."""
        depth, weight = self.config.rerank_depth, self.config.rerank_weight
        leading = np.flatnonzero(scores > 0)
        if len(leading) > depth:
            leading = leading[np.argpartition(-scores[leading], depth - 1)[:depth]]
        folded = " ".join(query_term.spelling for query_term in query_terms)
        passages = [passage for doc_id in leading for passage in self.passages[doc_id]]
        owners = np.repeat(np.arange(len(leading)), [len(self.passages[doc_id]) for doc_id in leading])
        ratios = process.cdist([folded], passages, scorer=fuzz.token_set_ratio, dtype=np.float64)[0] / 100.0
        likeness = np.zeros(len(leading))
        np.maximum.at(likeness, owners, ratios)
        reranked = scores.copy()
        lexical = scores[leading]
        reranked[leading] = (1 - weight) * lexical + weight * likeness * np.sqrt(lexical)
        return reranked

    def score(self, query_terms: list[_QueryTerm]) -> np.ndarray:
        """Scores in [0, 1] for every document of this language."""
        total_idf = sum(qt.ideal_idf for qt in query_terms)
        if not query_terms or total_idf <= 0:
            return np.zeros(self.size)
        fields = np.zeros(self.size)
        passages = np.zeros(self.passage_count)
        for query_term in query_terms:
            field_best = np.zeros(self.size)
            passage_best = np.zeros(self.passage_count)
            for alternative in query_term.alternatives:
                # An alternative stands in for the resident's word, so it counts at most as much as that word.
                credit = alternative.weight * query_term.ideal_idf
                ids, values = self.field_postings[alternative.term]
                np.maximum.at(field_best, ids, credit * values)
                ids, values = self.passage_postings.get(alternative.term, _EMPTY)
                np.maximum.at(passage_best, ids, credit * values)
            fields += field_best
            passages += passage_best
        query_norm = math.sqrt(sum(qt.ideal_idf**2 for qt in query_terms))
        best_passage = np.zeros(self.size)
        np.maximum.at(best_passage, self.passage_doc, passages / query_norm)
        mix = self.config.passage_weight
        # A synonym shared by two query words can credit one passage term twice; scores stay within 0..1.
        return np.minimum(1.0, mix * best_passage + (1.0 - mix) * fields / total_idf)


_EMPTY = (np.zeros(0, dtype=np.int32), np.zeros(0))


class SearchEngine:
    """Ranks published documents in the resident's language, falling back to English per document."""

    def __init__(
        self,
        documents: Iterable[Document],
        config: EngineConfig | None = None,
        synonyms: Mapping[str, SynonymTable] | None = None,
        fallback_lang: str = "en",
    ):
        self.config = config or EngineConfig()
        self.fallback_lang = fallback_lang
        by_lang: dict[str, list[Document]] = defaultdict(list)
        for document in documents:
            by_lang[document.lang].append(document)
        synonyms = synonyms if synonyms is not None else {lang: load_synonyms(lang) for lang in by_lang}
        self.indexes = {
            lang: LanguageIndex(lang, docs, self.config, synonyms.get(lang) or SynonymTable())
            for lang, docs in by_lang.items()
        }

    def search(self, query: str, lang: str | None = None, limit: int = 10) -> SearchResponse:
        query = clean_query(query)
        lang = lang if lang in self.indexes else self.fallback_lang
        hits_by_key: dict[str, Hit] = {}
        for search_lang in dict.fromkeys((lang, self.fallback_lang)):
            for hit in self._search_language(query, search_lang, limit):
                kept = hits_by_key.get(hit.key)
                if kept is None:
                    hits_by_key[hit.key] = hit
                elif hit.score > kept.score:
                    # The English matched better (a query typed in English on a Welsh page): the article
                    # ranks by that score but is still offered in the resident's language.
                    hits_by_key[hit.key] = replace(kept, score=hit.score)
        hits = sorted(hits_by_key.values(), key=lambda hit: (-hit.score, hit.key))[:limit]
        confident = bool(hits) and hits[0].score >= self.config.confidence_threshold
        return SearchResponse(query=query, lang=lang, confident=confident, hits=hits)

    def _search_language(self, query: str, lang: str, limit: int) -> list[Hit]:
        index = self.indexes.get(lang)
        if index is None or not query:
            return []
        query_terms = index.analyse_query(query)
        scores = index.score(query_terms)
        if self.config.rerank_weight:
            scores = index.rerank(query_terms, scores)
        candidates = np.flatnonzero(scores > 0)
        if len(candidates) > limit:
            candidates = candidates[np.argpartition(-scores[candidates], limit - 1)[:limit]]
        return [
            Hit(index.documents[i].key, lang, round(float(scores[i]), 4), index.documents[i])
            for i in candidates
        ]
