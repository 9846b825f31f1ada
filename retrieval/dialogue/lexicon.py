"""What follow-up rewriting knows: the follow-up word lists of ``config/dialogue.toml`` and the
places the corpus's reports are about (:class:`Lexicon`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from config import CONFIG_DIR, ConfigError, read_toml

from ..dates.when import relative_years
from ..lang.places import SUFFIXES, Coverage, default_gazetteer, shaped_in
from ..lang.text import normalize

DIALOGUE_FILE = CONFIG_DIR / "dialogue.toml"


@dataclass(frozen=True)
class Words:
    """The follow-up word lists of ``config/dialogue.toml``, normalised, longest first."""

    openers: tuple[str, ...]
    closers: tuple[str, ...]
    pointers: tuple[str, ...]
    within: tuple[str, ...]
    every_place: tuple[str, ...]
    comparisons: tuple[str, ...]
    plan_word: str
    relative_years: tuple[tuple[str, int], ...]  # retrieval/dates/when.py, longest first
    short_message_chars: int
    attribute_chars: int


def _words(values: object, name: str, path: Path) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise ConfigError(f"{path}: '{name}' must be a list of words")
    return tuple(sorted({normalize(v.strip()) for v in values}, key=len, reverse=True))


def load_words(path: Path = DIALOGUE_FILE) -> Words:
    """Read and check the word lists; a bad file raises :class:`ConfigError` naming the entry."""
    data = read_toml(path)
    limits = data.get("limits", {})
    sizes = []
    for name in ("short_message_chars", "attribute_chars"):
        value = limits.get(name) if isinstance(limits, dict) else None
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            raise ConfigError(f"{path}: 'limits.{name}' must be a whole number from 0 to 100")
        sizes.append(value)
    plan_word = data.get("plan_word")
    if not isinstance(plan_word, str) or not plan_word.strip():
        raise ConfigError(f"{path}: 'plan_word' must be a word")
    return Words(
        _words(data.get("openers"), "openers", path),
        _words(data.get("closers"), "closers", path),
        _words(data.get("pointers"), "pointers", path),
        _words(data.get("within"), "within", path),
        _words(data.get("every_place"), "every_place", path),
        _words(data.get("comparisons"), "comparisons", path),
        plan_word.strip(),
        tuple((normalize(w), offset) for w, offset in relative_years()),
        sizes[0],
        sizes[1],
    )


@lru_cache(maxsize=1)
def default_words() -> Words:
    return load_words()


def _soft(text: str) -> str:
    """``text`` normalised for matching but keeping its case (XX县 stays XX县), so that what is
    shown to users reads as they typed it; matching lower-cases it (same length)."""
    soft = normalize(text, lower=False)
    return soft if len(soft.lower()) == len(soft) else soft.lower()


def _forms(place: str) -> list[str]:
    """A place name and its short forms (古丈县, 古丈; 宁夏回族自治区, 宁夏), lower-cased for matching."""
    low = _soft(place).lower()
    found = default_gazetteer().named(low)
    if found and found[0].name == low:
        return list(default_gazetteer().forms(found[0]))
    return [low, low[:-1]] if len(low) >= 3 and low[-1] in SUFFIXES else [low]


class Lexicon:
    """The places the corpus's reports are about, as named in messages (古丈县 and 古丈), and the
    years their reports cover; other places by the division data (retrieval/lang/places.py)."""

    def __init__(self, places: Iterable[tuple[str, Iterable[int]]], *, complete: bool = False):
        self._display: dict[str, str] = {}
        self._years: dict[str, set[int]] = {}
        labels = []
        for place, years in places:
            soft = _soft(place)
            labels.append(soft.lower())
            for i, form in enumerate(_forms(place)):
                if len(form) < 2:
                    continue
                shown = soft if i == 0 else soft[: len(form)] if soft.lower().startswith(form) else form
                self._display.setdefault(form, shown)
                self._years.setdefault(form, set()).update(years)
        self._names = sorted(self._display, key=len, reverse=True)
        self._coverage = Coverage(default_gazetteer(), [labels])
        # Whether every report has its places named, so that a place none is about is unknown.
        self.complete = complete and bool(self._names)

    @classmethod
    def from_documents(cls, documents: Iterable[object]) -> Lexicon:
        docs = list(documents)
        pairs = [(p, tuple(getattr(d, "years", ()))) for d in docs for p in getattr(d, "places", ())]
        return cls(pairs, complete=all(getattr(d, "places", ()) for d in docs))

    def find(self, text: str) -> tuple[str, int, int] | None:
        """(name, start, end) of the first place ``text`` names: a known one (longest at the
        earliest position, shown as the reports spell it), else a division (那四川呢), else
        anything shaped like a place name (那凤凰县呢)."""
        low = text.lower()
        best: tuple[int, int, str] | None = None
        for name in self._names:
            at = low.find(name)
            if at >= 0 and (best is None or at < best[0] or (at == best[0] and len(name) > best[1] - best[0])):
                best = (at, at + len(name), self._display[name])
        if best is not None:
            return best[2], best[0], best[1]
        found = default_gazetteer().mentions(low)
        span = (found[0].start, found[0].end) if found else shaped_in(low)
        return (text[span[0] : span[1]], span[0], span[1]) if span else None

    def known(self, place: str) -> bool:
        """Whether a report is about ``place``, a place within it or one containing it."""
        if any(form in self._display for form in _forms(place)):
            return True
        found = default_gazetteer().named(_soft(place).lower(), weak=False)
        return bool(found) and self._coverage.related(found[0])

    def years(self, place: str) -> set[int]:
        for form in _forms(place):
            if form in self._years:
                return self._years[form]
        return set()
