"""Normalising and tokenising Chinese text for matching.

Matching happens on a normalised form: NFKC (full-width digits and letters become ASCII),
Traditional to Simplified conversion, lower case. Displayed text is never normalised.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

import jieba
import opencc

from config import STOPWORDS, USER_DICT

from .numerals import year_tokens

jieba.setLogLevel(60)

_T2S = opencc.OpenCC("t2s")
_T2S_LOCK = threading.Lock()

# A token is kept only if it holds a letter, a digit or a CJK character.
# A Han character (CJK Unified Ideographs and Extension A), as the readers and the chunker count them.
HAN = re.compile(r"[\u3400-\u9fff]")
_WORDLIKE = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SPACES = re.compile(r"\s+")
# Inline noise: conversion markers and URLs. Removed from what is indexed, kept for display.
INLINE_NOISE = re.compile(r"\[bookmark:[^\]\n]{0,80}\]|\{\\[^}\n]{0,80}\}|(?:https?://|www\.)[!-~]{1,300}")


def normalize(text: str, *, lower: bool = True) -> str:
    """NFKC, Traditional→Simplified, lower case (unless ``lower`` is False), whitespace runs to one space."""
    text = unicodedata.normalize("NFKC", text)
    with _T2S_LOCK:  # the OpenCC converter is not documented as thread-safe
        text = _T2S.convert(text)
    return _SPACES.sub(" ", text.lower() if lower else text)


def clean_for_index(text: str) -> str:
    """The part of a sentence that is matched: without markers and URLs, normalised."""
    return normalize(INLINE_NOISE.sub(" ", text))


def load_stopwords(path: Path = STOPWORDS) -> frozenset[str]:
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(normalize(line))
    return frozenset(words)


class Tokenizer:
    """jieba (search mode) with the project's user dictionary and stopwords."""

    def __init__(self, user_dict: Path | None = USER_DICT, stopwords: frozenset[str] | None = None):
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        if user_dict is not None and user_dict.exists():
            self._jieba.load_userdict(str(user_dict))
        self.stopwords = load_stopwords() if stopwords is None else stopwords
        self._lock = threading.Lock()

    def words(self, text: str) -> list[str]:
        """jieba's precise-mode cut of ``text`` (already normalised), every piece kept, in order."""
        with self._lock:
            return self._jieba.lcut(text, HMM=True)

    def known(self, word: str) -> bool:
        """Whether ``word`` is in the dictionary (jieba's, with the user dictionary)."""
        return self._jieba.FREQ.get(word, 0) > 0

    def tokens(self, text: str, *, normalized: bool = False) -> list[str]:
        """Search-mode tokens of ``text`` without stopwords, punctuation or spaces."""
        if not normalized:
            text = normalize(text)
        with self._lock:  # jieba's Tokenizer keeps per-call state
            words = self._jieba.lcut_for_search(text, HMM=True)
        stop = self.stopwords
        return [w for w in words if w not in stop and _WORDLIKE.search(w)] + year_tokens(text)


@lru_cache(maxsize=1)
def default_tokenizer() -> Tokenizer:
    return Tokenizer()


_NOT_WORDLIKE = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


_WORDS_ONLY = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]")


def bare_words(text: str) -> str:
    """``text`` without punctuation, spaces or symbols (a normalised text's word characters)."""
    return _WORDS_ONLY.sub("", text)


def char_bigrams(text: str) -> set[str]:
    """Bigrams of the word-like characters of an already normalised text (others are skipped)."""
    chars = _NOT_WORDLIKE.sub("", text)
    return {chars[i : i + 2] for i in range(len(chars) - 1)}
