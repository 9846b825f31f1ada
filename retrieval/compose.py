"""From a question to an answer: retrieve chunks, score their sentences, pick the best.

Scoring is a weighted sum of features that each look at the question differently:
idf-weighted term coverage, character-bigram overlap (robust to segmentation), whether the
sentence carries the kind of answer the question asks for (a number, a date, a name, a list),
proximity of the matched terms, the chunk's BM25 rank, and a preference for the report a
question names by place or year. Sentences that only restate the question, or are very long,
are marked down. The best sentence's coverage decides whether to answer at all.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from .corpus import CorpusIndex
from .text import Tokenizer, char_bigrams, normalize
from .types import Answer, Sentence

# Expected answer types, detected in the normalised question.
QUESTION_TYPES: dict[str, re.Pattern[str]] = {
    "number": re.compile(r"多少|几[个所名人项次万亿千百十倍家座间条户台套批期]|几|比例|比率|比重|百分之|占比|"
                         r"多大|多高|多长|多远|数量|人数|金额|规模|增长|提高了|下降了|率"),
    "time": re.compile(r"哪一年|哪年|何时|什么时候|哪个月|几月|何年|日期|时间|哪天|哪一天|年份"),
    "person": re.compile(r"谁|哪位|何人|姓名|哪个人"),
    "place": re.compile(r"哪里|哪儿|在哪|何地|什么地方|哪个[县市区乡镇省]|哪些[县市区乡镇]|哪[所个家]学校|哪些学校"),
    "name": re.compile(r"叫什么|什么名称|名称|名字|称为|称号|荣誉|什么奖|哪个奖|什么项目|什么活动|什么工程|什么计划"),
    "list": re.compile(r"哪些|包括|包含|有哪|分别|几类|几种|哪几"),
}
_NUM_UNIT = re.compile(
    r"\d+(?:\.\d+)?\s*(?:%|‰|万元|亿元|千元|元|万人|人次|人|名|所|个|项|次|间|平方米|平米|㎡|亩|台|套|班|"
    r"万|亿|天|小时|公里|册|户|家|支|批|场|期|位|门|节|倍|分|条|座|届|件|篇|类|种|校|园|块|辆|张)"
    r"|百分之|[一二三四五六七八九十百千万两]+(?:所|个|项|名|人|次|批|类|种|支|场)"
)
_DATE = re.compile(r"(?:19|20)\d\d\s*年|\d{1,2}\s*月(?:\d{1,2}\s*日)?|年初|年底|上半年|下半年|春季|秋季")
_PERSON = re.compile(r"同志|局长|校长|书记|主任|县长|市长|老师|教师[\u4e00-\u9fff]{2,3}|[\u4e00-\u9fff]{2,3}(?:同志|老师)")
_PLACE = re.compile(r"[\u4e00-\u9fff]{2}(?:县|市|区|乡|镇|村|省|州)|学校|小学|中学|幼儿园|学院|大学")
_NAME = re.compile(r"[“\"《「][^”\"》」]{2,30}[”\"》」]|称号|荣誉|奖|工程|计划|项目|活动")
_LIST = re.compile(r"、.*、|；|一是|包括|分别")
FEATURES = {"number": _NUM_UNIT, "time": _DATE, "person": _PERSON, "place": _PLACE,
            "name": _NAME, "list": _LIST}

# Words removed from the question before character bigrams are taken.
_QUESTION_WORDS = re.compile(
    r"请问|是多少|有多少|多少|是什么|什么|哪些|哪个|哪里|哪一年|哪年|哪位|如何|怎么样|怎样|怎么|为什么|"
    r"是否|有没有|吗|呢|吧|谁|几|[?？!！。，,、\s]")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")

# Feature weights. Kept in one place so they can be read and tuned as a whole.
WEIGHTS = {
    "coverage": 0.42,
    "bigram": 0.26,
    "answer_type": 0.12,
    "bm25": 0.10,
    "proximity": 0.06,
    "doc_match": 0.12,
    "restate_penalty": 0.25,
    "length_penalty": 0.10,
    "same_doc_penalty": 0.06,
}
LONG_SENTENCE = 160  # characters; longer sentences are gently marked down


@dataclass(frozen=True)
class Question:
    text: str
    norm: str
    tokens: tuple[str, ...]
    types: tuple[str, ...]
    bigrams: frozenset[str]
    years: tuple[int, ...]


def analyse(question: str, tokenizer: Tokenizer) -> Question:
    norm = normalize(question)
    tokens = tuple(tokenizer.tokens(norm, normalized=True))
    types = tuple(name for name, pattern in QUESTION_TYPES.items() if pattern.search(norm))
    bigrams = frozenset(char_bigrams(_QUESTION_WORDS.sub(" ", norm)))
    years = tuple(int(y) for y in _YEAR.findall(norm))
    return Question(question, norm, tokens, types, bigrams, years)


class Composer:
    """Scores sentences of retrieved chunks against a question."""

    def __init__(self, corpus: CorpusIndex, tokenizer: Tokenizer, *, retrieve_k: int = 30,
                 min_confidence: float = 0.35):
        self.corpus = corpus
        self.tokenizer = tokenizer
        self.retrieve_k = retrieve_k
        self.min_confidence = min_confidence
        # Place names each document is about, with their short forms (古丈县 → 古丈).
        self._doc_places: list[set[str]] = []
        for meta in corpus.docs:
            names: set[str] = set()
            for place in meta.places:
                p = normalize(place)
                names.add(p)
                if len(p) >= 3:
                    names.add(p[:-1])
            self._doc_places.append(names)
        self._all_places = set().union(*self._doc_places) if self._doc_places else set()

    def _doc_preference(self, q: Question) -> np.ndarray:
        """Per document: +1 if it is the place/year the question names, -1 if another one is named."""
        pref = np.zeros(len(self.corpus.docs))
        named_places = {p for p in self._all_places if p in q.norm}
        for d, meta in enumerate(self.corpus.docs):
            if named_places:
                pref[d] += 1.0 if named_places & self._doc_places[d] else -1.0
            if q.years and meta.years:
                pref[d] += 0.5 if set(q.years) & set(meta.years) else -0.25
        return pref

    def compose(self, question: str, limit: int = 3, more: int = 10) -> Answer:
        q = analyse(question, self.tokenizer)
        corpus = self.corpus
        bm25 = corpus.bm25
        if not q.tokens and not q.bigrams:
            return Answer(question, False, message=NO_TERMS)
        scores = bm25.scores(q.tokens)
        pref = self._doc_preference(q)
        chunk_doc = corpus.tables["chunk_doc"]
        if np.any(pref):
            positive = scores > 0
            scores = np.where(positive, scores * (1.0 + 0.25 * pref[chunk_doc]), scores)
        k = min(self.retrieve_k, len(scores))
        if k == 0:
            return Answer(question, False, message=NOT_FOUND)
        cand = np.argpartition(-scores, k - 1)[:k]
        cand = [int(i) for i in cand[np.argsort(-scores[cand], kind="stable")] if scores[i] > 0]
        if not cand:
            return Answer(question, False, message=NOT_FOUND)
        top_score = float(scores[cand[0]])

        # Question terms and their idf weights (unknown terms weigh the most).
        weights: dict[str, float] = {}
        for t in q.tokens:
            weights[t] = max(bm25.idf_of(t), 0.05)
        total_weight = sum(weights.values()) or 1.0
        term_ids = {bm25.vocab[t]: w for t, w in weights.items() if t in bm25.vocab}

        scored: list[tuple[float, float, int, int, int]] = []  # (score, confidence, chunk, sent, doc)
        seen_text: set[str] = set()
        for rank, c in enumerate(cand):
            doc = int(chunk_doc[c])
            chunk_rel = float(scores[c]) / top_score if top_score else 0.0
            for s in corpus.sentence_range(c):
                text = corpus.sentence_text(c, s)
                if text in seen_text:
                    continue
                seen_text.add(text)
                toks = corpus.sentence_tokens(s).tolist()
                score, conf = self._score_sentence(q, text, toks, term_ids, total_weight, chunk_rel,
                                                   pref[doc])
                scored.append((score, conf, c, s, doc))
        if not scored:
            return Answer(question, False, message=NOT_FOUND)
        scored.sort(key=lambda r: -r[0])
        best_conf = max(r[1] for r in scored[:5])
        if best_conf < self.min_confidence:
            return Answer(question, False, message=NOT_FOUND)
        ranked = self._diversify(scored, spread=not np.any(pref))
        picked = [Sentence(corpus.sentence_text(c, s), round(score, 6), corpus.citation(c, s))
                  for score, _, c, s, _ in ranked[: limit + more]]
        return Answer(question, True, tuple(picked[:limit]), "", tuple(picked[limit:]))

    def _score_sentence(self, q: Question, text: str, toks: list[int], term_ids: dict[int, float],
                        total_weight: float, chunk_rel: float, doc_pref: float) -> tuple[float, float]:
        W = WEIGHTS
        norm = normalize(text)
        tokset = set(toks)
        matched = [t for t in term_ids if t in tokset]
        coverage = sum(term_ids[t] for t in matched) / total_weight
        s_bigrams = char_bigrams(norm)
        bigram = len(q.bigrams & s_bigrams) / len(q.bigrams) if q.bigrams else 0.0
        answer_type = 0.0
        if q.types:
            answer_type = max(1.0 if FEATURES[t].search(norm) else 0.0 for t in q.types)
        # Proximity: how tightly the matched terms sit together in the sentence.
        proximity = 0.0
        if len(matched) >= 2:
            positions = [i for i, t in enumerate(toks) if t in term_ids]
            window = positions[-1] - positions[0] + 1
            proximity = min(1.0, len(set(toks[p] for p in positions)) / window) if window else 0.0
        elif matched:
            proximity = 0.5
        # A sentence whose words are nearly all the question's own adds nothing new.
        new_bigrams = len(s_bigrams - q.bigrams) / len(s_bigrams) if s_bigrams else 0.0
        restate = max(0.0, 0.35 - new_bigrams) / 0.35
        length = max(0.0, (len(text) - LONG_SENTENCE) / LONG_SENTENCE)
        score = (W["coverage"] * coverage + W["bigram"] * bigram + W["answer_type"] * answer_type
                 + W["bm25"] * chunk_rel + W["proximity"] * proximity
                 + W["doc_match"] * max(-1.0, min(1.0, doc_pref))
                 - W["restate_penalty"] * restate - W["length_penalty"] * min(1.0, length))
        confidence = 0.6 * coverage + 0.4 * bigram
        return score, confidence

    def _diversify(self, scored: list[tuple[float, float, int, int, int]], spread: bool):
        """Greedy pick; when no report is named, a second sentence from the same report pays a toll."""
        if not spread:
            return scored
        remaining = list(scored[:60])
        rest = scored[60:]
        out = []
        used: dict[int, int] = {}
        while remaining:
            best_i = max(range(len(remaining)),
                         key=lambda i: remaining[i][0] - WEIGHTS["same_doc_penalty"] * used.get(remaining[i][4], 0))
            row = remaining.pop(best_i)
            used[row[4]] = used.get(row[4], 0) + 1
            out.append(row)
        return out + rest


NO_TERMS = "问题里没有可以检索的词语，请换一种说法，例如：古丈县现有各级各类学校多少所？"
NOT_FOUND = "报告中没有找到能回答这个问题的内容。可以换个说法、加上地名或年份，或用“来源”查看收录了哪些报告。"
