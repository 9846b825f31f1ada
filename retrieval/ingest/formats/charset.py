"""Choosing a text file's encoding among GB18030 and Big5, and telling text from mojibake.

Rule (measured in benchmarks/README.md): a character is *likely* when it is ASCII, common
punctuation, or a Han character among the common characters of either standard — the 3,755
characters of GB 2312 level 1 (bytes B0A1–D7F9) or the 5,401 frequent characters of Big5
(bytes A440–C67E). Well-decoded reports, Simplified or Traditional, are almost all likely
characters; Big5 bytes read as GB18030 (or the reverse) land mostly on rare characters. Bytes
that decode under both are read with the encoding whose text has the larger share of likely
characters, and a file whose best share is below ``min_likely_share`` is mojibake and skipped.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import re

_HAN_OR_ODD = re.compile(r"[^\x00-\x7f\u3000-\u303f\uff00-\uffef\u2010-\u2027\u2030-\u205e]")
_SAMPLE = 20000


@functools.lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    """The common Han characters of GB 2312 level 1 and of Big5, computed from the codecs."""
    chars: set[str] = set()
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes((hi, lo)).decode("gb2312"))
    for hi in range(0xA4, 0xC7):
        for lo in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            if (hi, lo) > (0xC6, 0x7E):
                break
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes((hi, lo)).decode("big5"))
    return frozenset(chars)


def likely_share(text: str) -> float:
    """Share of the non-ASCII, non-punctuation characters of (a sample of) ``text`` that are
    common Han characters; 1.0 when there are none (plain ASCII)."""
    odd = _HAN_OR_ODD.findall(text[:_SAMPLE])
    if not odd:
        return 1.0
    common = _common()
    return sum(ch in common for ch in odd) / len(odd)


def decode_strict(data: bytes, encoding: str) -> str:
    """Strict decoding that leaves out an incomplete character at the end of ``data``."""
    return codecs.getincrementaldecoder(encoding)(errors="strict").decode(data, final=False)


def decode_utf8_or_chinese(data: bytes) -> tuple[str, str]:
    """(text, encoding) of bytes without a BOM: strict UTF-8, else GB18030 or Big5 (whichever
    reads as the more likely text, :func:`decode_chinese`); UnicodeDecodeError when none reads."""
    try:
        return decode_strict(data, "utf-8"), "utf-8"
    except UnicodeDecodeError:
        return decode_chinese(data, decode_strict)


def decode_chinese(data: bytes, decode) -> tuple[str, str]:
    """(text, encoding) of legacy-encoded Chinese bytes: GB18030 or Big5, whichever reads as
    the more likely text. ``decode(data, encoding)`` decodes strictly or raises
    UnicodeDecodeError."""
    best: tuple[float, str, str] | None = None
    # cp950 is Windows' Big5 (a few more characters); Big5-HKSCS adds Hong Kong's characters.
    for encoding in ("gb18030", "cp950", "big5hkscs"):
        try:
            text = decode(data, encoding)
        except UnicodeDecodeError:
            continue
        share = likely_share(text)
        if best is None or share > best[0]:
            best = (share, text, encoding)
        if encoding == "cp950" and best[2] == "cp950":
            break  # read as Big5: HKSCS would read the same
    if best is None:
        raise UnicodeDecodeError("gb18030", data[:1], 0, 1, "neither GB18030 nor Big5")
    return best[1], best[2]
