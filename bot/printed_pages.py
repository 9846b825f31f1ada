"""What a PDF's pages print, read straight from the file (pdfplumber), for the eval's page check.

A figure is often printed on two pages of a budget report (the same row in a table by function
and in one by economic kind; a table and the note that restates it). A citation to either page
lets a reader find the answer, so the eval counts, besides the page the question set names, whether
the cited page prints the gold fragment. The text is read here from the PDF itself, not from the
index, so a page the reader assigned wrongly is not taken on its own word.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from retrieval.lang.text import normalize

_SPACE = re.compile(r"\s+")
MIN_FRAGMENT = 4  # characters: a shorter fragment (61, 5.0%) is printed on many pages by chance


def flat(text: str) -> str:
    """``text`` normalised as the engine reads it (full-width digits, Kangxi radicals) and
    without white space, so a page's text and a fragment compare alike."""
    return _SPACE.sub("", normalize(text))


class PrintedPages:
    """The text of the pages of the PDFs under ``root``, white space removed, read on demand."""

    def __init__(self, root: Path):
        self.root = root

    def prints(self, path: str, first: int, last: int, fragments) -> bool:
        """Whether one of ``fragments`` (normalised, white space aside, at least
        :data:`MIN_FRAGMENT` characters) is printed on a page from ``first`` to ``last`` (1-based)
        of the PDF ``path`` (relative to the root); False when the file cannot be read."""
        wanted = [w for w in (flat(f) for f in fragments) if len(w) >= MIN_FRAGMENT]
        pages = (_page_text(str(self.root / path), n) for n in range(first, last + 1))
        return any(any(w in text for w in wanted) for text in pages)


@lru_cache(maxsize=256)
def _page_text(path: str, page: int) -> str:
    import pdfplumber  # only when a PDF page is checked

    try:
        with pdfplumber.open(path) as pdf:
            if not 1 <= page <= len(pdf.pages):
                return ""
            # Doubled bold glyphs read once, as the engine reads them.
            return flat(pdf.pages[page - 1].dedupe_chars().extract_text() or "")
    except Exception:  # an unreadable file prints nothing the check can see
        return ""
